#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import QuickupCore
import ZIPFoundation

/// Writes a zip in one pass: each entry's local header and deflated data are appended, its CRC
/// and sizes patched into the header afterwards, and the central directory written once at the
/// end (ZIP64 records where sizes, offsets or the entry count need them). ZIPFoundation's
/// `Archive.addEntry` re-reads and re-writes the whole central directory for every entry, which
/// made packing O(n²) in the number of files (4.9 s for 22,052 files, mostly kernel copies; see
/// docs/PERFORMANCE.md); its deflate and CRC-32 are used here unchanged, and it still reads zips.
/// Every entry gets the same MS-DOS timestamp (1980-01-01 00:00) and UNIX permissions only, so
/// the same input always gives the same bytes (R1).
final class ZipStreamWriter {
    private let fd: Int32
    private let path: String
    private var offset: UInt64 = 0
    private var central = Data()
    private var count: UInt64 = 0
    static let dosDate: UInt16 = (1 << 5) | 1, dosTime: UInt16 = 0
    static let chunk = 64 << 10
    /// From this size on an entry's local header carries ZIP64 sizes (deflate may grow data a little).
    let largeEntry: Int64
    /// Sizes, offsets and counts from this value on go into ZIP64 fields. Both are parameters so
    /// tests can send small zips through the ZIP64 paths; real zips use the format's limits.
    let overflow: UInt64

    init(path: String, largeEntry: Int64 = 0xF000_0000, overflow: UInt64 = 0xFFFF_FFFF) throws(QuickupError) {
        self.path = path
        self.largeEntry = largeEntry
        self.overflow = overflow
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw QuickupError(.io, "cannot create \(path): \(String(cString: strerror(errno)))") }
    }

    deinit { close(fd) }

    /// Appends a file entry of `size` bytes; `read(n)` returns the next at most n bytes. Returns
    /// the number of bytes read (callers compare it with `size` to catch a file that changed).
    func addFile(_ name: String, permissions: UInt16, size: Int64, read: (Int) throws -> Data) throws -> Int64 {
        let nameBytes = Data(name.utf8)
        let headerOffset = offset
        let large = size >= largeEntry
        var header = Data()
        header.append(le32: 0x0403_4b50)
        header.append(le16: large ? 45 : 20)           // version needed
        header.append(le16: 0x0800)                    // names are UTF-8
        header.append(le16: 8)                         // deflate
        header.append(le16: Self.dosTime)
        header.append(le16: Self.dosDate)
        header.append(le32: 0)                         // CRC-32, patched below
        header.append(le32: large ? 0xFFFF_FFFF : 0)   // compressed size, patched below
        header.append(le32: large ? 0xFFFF_FFFF : 0)   // uncompressed size, patched below
        header.append(le16: UInt16(nameBytes.count))
        header.append(le16: large ? 20 : 0)
        header.append(nameBytes)
        if large {
            header.append(le16: 0x0001)
            header.append(le16: 16)
            header.append(le64: 0)
            header.append(le64: 0)
        }
        try append(header)
        var compressed: UInt64 = 0, consumed: Int64 = 0
        let crc = try Data.compress(size: size, bufferSize: Self.chunk, provider: { _, wanted in
            let data = try read(wanted)
            consumed += Int64(data.count)
            return data
        }, consumer: { data in
            try self.append(data)
            compressed += UInt64(data.count)
        })
        let uncompressed = UInt64(consumed)
        var patch = Data()
        patch.append(le32: crc)
        if large {
            try write(patch, at: headerOffset + 14)
            var sizes = Data()
            sizes.append(le64: uncompressed)
            sizes.append(le64: compressed)
            try write(sizes, at: headerOffset + 30 + UInt64(nameBytes.count) + 4)
        } else {
            guard compressed < overflow, uncompressed < overflow else {
                throw QuickupError(.io, "\(name) changed size while it was being packed", hint: "pack again when nothing writes into the release")
            }
            patch.append(le32: UInt32(compressed))
            patch.append(le32: UInt32(uncompressed))
            try write(patch, at: headerOffset + 14)
        }
        addCentralRecord(nameBytes, permissions: permissions, crc: crc, compressed: compressed, uncompressed: uncompressed,
                         headerOffset: headerOffset)
        return consumed
    }

    private func addCentralRecord(_ name: Data, permissions: UInt16, crc: UInt32, compressed: UInt64, uncompressed: UInt64,
                                  headerOffset: UInt64) {
        // ZIP64 extra: only the fields that overflow, in this order (APPNOTE 4.5.3).
        var extra = Data()
        for value in [uncompressed, compressed, headerOffset] where value >= overflow { extra.append(le64: value) }
        let zip64 = !extra.isEmpty
        var record = Data()
        record.append(le32: 0x0201_4b50)
        record.append(le16: 0x0300 | (zip64 ? 45 : 20))   // made by UNIX, so permissions are read
        record.append(le16: zip64 ? 45 : 20)
        record.append(le16: 0x0800)
        record.append(le16: 8)
        record.append(le16: Self.dosTime)
        record.append(le16: Self.dosDate)
        record.append(le32: crc)
        record.append(le32: field32(compressed))
        record.append(le32: field32(uncompressed))
        record.append(le16: UInt16(name.count))
        record.append(le16: zip64 ? UInt16(4 + extra.count) : 0)
        record.append(le16: 0)                             // comment
        record.append(le16: 0)                             // disk
        record.append(le16: 0)                             // internal attributes
        record.append(le32: (UInt32(S_IFREG) | UInt32(permissions)) << 16)
        record.append(le32: field32(headerOffset))
        record.append(name)
        if zip64 {
            record.append(le16: 0x0001)
            record.append(le16: UInt16(extra.count))
            record.append(extra)
        }
        central.append(record)
        count += 1
    }

    /// Writes the central directory and the end records.
    func finish() throws(QuickupError) {
        let directoryOffset = offset, directorySize = UInt64(central.count)
        try append(central)
        if count >= 0xFFFF || directoryOffset >= overflow || directorySize >= overflow {
            let recordOffset = offset
            var record = Data()
            record.append(le32: 0x0606_4b50)
            record.append(le64: 44)
            record.append(le16: 0x032D)
            record.append(le16: 45)
            record.append(le32: 0)
            record.append(le32: 0)
            record.append(le64: count)
            record.append(le64: count)
            record.append(le64: directorySize)
            record.append(le64: directoryOffset)
            record.append(le32: 0x0706_4b50)               // ZIP64 end of central directory locator
            record.append(le32: 0)
            record.append(le64: recordOffset)
            record.append(le32: 1)
            try append(record)
        }
        var end = Data()
        end.append(le32: 0x0605_4b50)
        end.append(le16: 0)
        end.append(le16: 0)
        end.append(le16: UInt16(min(count, 0xFFFF)))
        end.append(le16: UInt16(min(count, 0xFFFF)))
        end.append(le32: field32(directorySize))
        end.append(le32: field32(directoryOffset))
        end.append(le16: 0)
        try append(end)
    }

    /// A 32-bit field: the value, or 0xFFFFFFFF when it lives in a ZIP64 field instead.
    private func field32(_ value: UInt64) -> UInt32 { value >= overflow ? 0xFFFF_FFFF : UInt32(value) }

    private func append(_ data: Data) throws(QuickupError) {
        try write(data, at: offset)
        offset += UInt64(data.count)
    }

    private func write(_ data: Data, at position: UInt64) throws(QuickupError) {
        let failed: Int32? = data.withUnsafeBytes { bytes -> Int32? in
            guard let base = bytes.baseAddress else { return nil }
            var done = 0
            while done < bytes.count {
                let n = pwrite(fd, base + done, bytes.count - done, off_t(position) + off_t(done))
                if n < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                done += n
            }
            return nil
        }
        if let failed {
            throw QuickupError(.io, "cannot write \(path): \(String(cString: strerror(failed)))", hint: "check free space where the zip is written")
        }
    }
}

extension Data {
    mutating func append(le16 value: UInt16) { Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) } }
    mutating func append(le32 value: UInt32) { Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) } }
    mutating func append(le64 value: UInt64) { Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) } }
}
