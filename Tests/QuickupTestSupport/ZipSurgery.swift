import Foundation

/// Rewrites a zip with Python's `zipfile` (a real, independent zip implementation) to make the
/// damaged and hostile release zips R1 must refuse: a changed byte, an added or dropped entry,
/// `../evil`, a duplicate, a symlink, sizes that lie.
public enum ZipSurgery {
    public enum Operation {
        /// XOR the first byte of the entry's content with 1 (the manifest is left as it was).
        case flipByte(String)
        case drop(String)
        case add(String, String)
        /// An entry of `count` zero bytes (compresses about 1000:1).
        case addZeros(String, Int)
        case symlink(String, target: String)
        /// Record `size` as the entry's uncompressed size in the central directory.
        case declareSize(String, Int)

        var json: [String: Any] {
            switch self {
            case .flipByte(let name): return ["op": "flip", "entry": name]
            case .drop(let name): return ["op": "drop", "entry": name]
            case .add(let name, let data): return ["op": "add", "entry": name, "data": data]
            case .addZeros(let name, let count): return ["op": "zeros", "entry": name, "size": count]
            case .symlink(let name, let target): return ["op": "symlink", "entry": name, "target": target]
            case .declareSize(let name, let size): return ["op": "size", "entry": name, "declared": size]
            }
        }
    }

    static let script = #"""
    import json, struct, sys, zipfile
    src, dst, ops = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
    drops = {o["entry"] for o in ops if o["op"] == "drop"}
    flips = {o["entry"] for o in ops if o["op"] == "flip"}
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            if info.filename in drops:
                continue
            data = zin.read(info)
            if info.filename in flips:
                data = bytes([data[0] ^ 1]) + data[1:]
            zout.writestr(info, data)
        for o in ops:
            if o["op"] == "add":
                zout.writestr(zipfile.ZipInfo(o["entry"]), o["data"].encode())
            elif o["op"] == "zeros":
                zout.writestr(zipfile.ZipInfo(o["entry"]), bytes(o["size"]), zipfile.ZIP_DEFLATED)
            elif o["op"] == "symlink":
                info = zipfile.ZipInfo(o["entry"])
                info.create_system = 3
                info.external_attr = (0o120777 << 16)
                zout.writestr(info, o["target"].encode())
    sizes = {o["entry"]: o["declared"] for o in ops if o["op"] == "size"}
    if sizes:
        blob = bytearray(open(dst, "rb").read())
        at = blob.find(b"PK\x01\x02")
        while at >= 0:
            n, m, k = struct.unpack_from("<HHH", blob, at + 28)
            name = blob[at + 46:at + 46 + n].decode()
            if name in sizes:
                struct.pack_into("<I", blob, at + 24, sizes[name])
            at = blob.find(b"PK\x01\x02", at + 46 + n + m + k)
        open(dst, "wb").write(bytes(blob))
    """#

    /// Writes `destination` from `source` with the operations applied.
    public static func rewrite(_ source: String, to destination: String, _ operations: [Operation]) throws {
        let ops = try JSONSerialization.data(withJSONObject: operations.map(\.json))
        let output = try ChildProcess.run(["python3", "-c", script, source, destination, String(decoding: ops, as: UTF8.self)])
        guard output.status == 0 else {
            throw NSError(domain: "ZipSurgery", code: Int(output.status), userInfo: [NSLocalizedDescriptionKey: output.stderr])
        }
    }

    /// Entry names of a zip, in stored order, read by Python's `zipfile`.
    public static func names(_ zip: String) throws -> [String] {
        try ChildProcess.run(["python3", "-c", "import sys, zipfile\nfor n in zipfile.ZipFile(sys.argv[1]).namelist(): print(n)", zip])
            .stdout.split(separator: "\n").map(String.init)
    }
}

extension ZipSurgery {
    /// A file's SHA-256 from `sha256sum`, an implementation independent of quickup's.
    public static func sha256(of path: String) throws -> String? {
        try ChildProcess.run(["sha256sum", path]).stdout.split(separator: " ").first.map(String.init)
    }
}
