import Foundation
import QuickupCore
import ZIPFoundation

/// Writes a bundle's documents into one zip below a top folder, so unzipping makes one folder.
enum BundleZip {
    static func write(_ documents: [BundleDocument], under folder: String, to output: String) throws(QuickupError) {
        let partial = "\(output).partial-\(getpid())"
        try? FileManager.default.removeItem(atPath: partial)
        do {
            let archive = try Archive(url: URL(fileURLWithPath: partial), accessMode: .create)
            for document in documents {
                let data = document.data
                try archive.addEntry(with: "\(folder)/\(document.path)", type: .file, uncompressedSize: Int64(data.count),
                                     permissions: 0o644, compressionMethod: .deflate) { position, size in
                    data.subdata(in: Int(position)..<Int(position) + size)
                }
            }
        } catch {
            try? FileManager.default.removeItem(atPath: partial)
            throw QuickupError(.io, "cannot write the bundle \(output): \(error)", hint: "pass -o with a path in a writable directory")
        }
        guard rename(partial, output) == 0 else {
            try? FileManager.default.removeItem(atPath: partial)
            throw QuickupError(.io, "cannot write the bundle \(output): \(String(cString: strerror(errno)))",
                               hint: "pass -o with a path in a writable directory")
        }
    }
}
