import Foundation
import QuickupCore

/// The Python helper module shipped inside quickup (T2). It needs nothing but the standard
/// library; quickup writes it next to the state directory and puts it on the tool's PYTHONPATH,
/// so `import quickup_tool` works in any Python tool and `module:function` entries run through it.
public enum PythonHelper {
    public static let moduleName = "quickup_tool"

    /// Writes the module into `directory` (if missing or different) and returns the directory.
    public static func install(in directory: String) throws(QuickupError) -> String {
        let path = "\(directory)/\(moduleName).py"
        let data = Data(source.utf8)
        if FileManager.default.contents(atPath: path) == data { return directory }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try data.write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw QuickupError(.io, "cannot write the Python tool helper to \(path): \(error)", hint: "check that the state directory is writable")
        }
        return directory
    }

    /// argv that runs `module:function` through the helper; modules are looked up in `searchPath`
    /// (relative to the work directory: `tools` for tasks, `hooks` for component hooks).
    /// `-c` rather than `-m`: runpy costs every tool a few milliseconds of start-up.
    public static func arguments(module: String, function: String, searchPath: String) -> [String] {
        ["python3", "-c", launcher, "run", "\(module):\(function)", "--path", searchPath]
    }

    /// The exit status of the launcher line when the helper itself cannot be imported: the tool
    /// was never started (issue 13 item 3), which is quickup's error, not the tool's.
    public static let helperMissingStatus: Int32 = 121
    /// The line the launcher prints on stderr in that case.
    public static let helperMissingMarker = "quickup: the Python tool helper cannot be imported"

    static let launcher = """
        import sys
        try:
            import \(moduleName)
        except ImportError as e:
            sys.stderr.write("\(helperMissingMarker): %s (sys.path: %s)\\n" % (e, sys.path))
            sys.exit(\(helperMissingStatus))
        sys.exit(\(moduleName).main(sys.argv[1:]))
        """

    static let source = #"""
    """quickup's helper for Python tools (SPEC T1/T2). Standard library only.

    A tool gets its context from quickup on stdin and talks back with JSON lines on stdout:

        import quickup_tool as q
        ctx = q.context()
        db = ctx.datasource("base_db")          # host, port, user, password, database, path
        q.progress(percent=40, message="copied 4 of 10 tables")
        q.log("done", level="info")
        q.result({"rows": 42})

    A `.package=module:function` entry is run as `python3 -m quickup_tool run module:function`
    (quickup itself uses an equivalent `-c` line, which starts faster):
    the function receives the context and may return the result.
    """
    import os
    import sys

    __all__ = ["context", "progress", "log", "result", "http", "Context", "Datasource"]
    _context = None


    # The json module imports re and enum: ~6 ms of a ~9 ms interpreter start, paid by every tool.
    # The context and the protocol's lines are small, so the helper reads and writes them itself:
    # the context quickup writes (strings without escapes, integers only, in nearly every case)
    # with str methods, ~25 µs for a task with two datasources — loading CPython's C scanner
    # (`_json`, a shared library) costs every tool ~0.12 ms. Anything else goes to that scanner,
    # and to json elsewhere (PyPy).
    def _parse(text):
        # Raises ValueError or IndexError on anything it does not read itself (RecursionError if deep).
        find = text.find
        blank = " \t\n\r"

        def string(i):
            j = find('"', i + 1)
            s = text[i + 1:j]
            # An escape, or a character JSON allows only escaped (a tab, a newline …): the C scanner's.
            if j < 0 or "\\" in s or not s.isprintable():
                raise ValueError("an escape")
            return s, j + 1

        def value(i):
            while text[i] in blank:
                i += 1
            c = text[i]
            if c == '"':
                return string(i)
            if c == "{" or c == "[":
                is_object = c == "{"
                end = "}" if is_object else "]"
                items = {} if is_object else []
                i += 1
                while text[i] in blank:
                    i += 1
                if text[i] == end:
                    return items, i + 1
                while True:
                    if is_object:
                        while text[i] in blank:
                            i += 1
                        if text[i] != '"':
                            raise ValueError("a key")
                        key, i = string(i)
                        while text[i] in blank:
                            i += 1
                        if text[i] != ":":
                            raise ValueError("a colon")
                        items[key], i = value(i + 1)
                    else:
                        item, i = value(i)
                        items.append(item)
                    while text[i] in blank:
                        i += 1
                    c = text[i]
                    i += 1
                    if c == end:
                        return items, i
                    if c != ",":
                        raise ValueError("a comma")
            for word, constant in (("true", True), ("false", False), ("null", None)):
                if text.startswith(word, i):
                    return constant, i + len(word)
            # Integers only: a fraction or an exponent goes to the C scanner, which knows JSON's rules.
            start = j = i + 1 if c == "-" else i
            while text[j] in "0123456789":
                j += 1
            digits = text[start:j]
            if not digits or (digits[0] == "0" and len(digits) > 1) or text[j] in ".eE":
                raise ValueError("a number")
            return int(text[i:j]), j

        parsed, end = value(0)
        if text[end:].strip(blank):
            raise ValueError("text after the value")
        return parsed


    def _loads(text):
        try:
            return _parse(text)
        except (ValueError, IndexError, RecursionError):
            pass
        try:
            from _json import make_scanner

            class _Options:
                strict = True
                object_hook = None
                object_pairs_hook = None
                parse_float = float
                parse_int = int
                memo = {}

                @staticmethod
                def parse_constant(name):
                    return float(name.replace("Infinity", "inf"))

            return make_scanner(_Options())(text.strip(), 0)[0]
        except (ImportError, AttributeError, TypeError):
            import json
            return json.loads(text)


    def _string(text):
        # Printable ASCII without a quote or a backslash is its own JSON (isprintable first: it refuses
        # lone surrogates, which encode() would raise on; not str.isascii, which Python 3.6 lacks).
        if text.isprintable() and len(text.encode()) == len(text) and '"' not in text and "\\" not in text:
            return '"' + text + '"'
        try:
            from _json import encode_basestring_ascii
            return encode_basestring_ascii(text)
        except ImportError:
            import json
            return json.dumps(text)


    def _dumps(value):
        if value is None:
            return "null"
        if value is True:
            return "true"
        if value is False:
            return "false"
        if isinstance(value, str):
            return _string(value)
        if isinstance(value, int):
            return int.__repr__(value)
        if isinstance(value, float):
            return float.__repr__(value) if value == value and abs(value) != float("inf") else "null"
        if isinstance(value, dict):
            return "{" + ",".join(_string(str(k)) + ":" + _dumps(v) for k, v in value.items()) + "}"
        if isinstance(value, (list, tuple, set)):
            return "[" + ",".join(_dumps(v) for v in value) + "]"
        return _string(str(value))


    def _emit(obj):
        sys.stdout.write(_dumps(obj) + "\n")
        sys.stdout.flush()


    class Datasource:
        """Connection parameters of one datasource, password included (never print it)."""

        def __init__(self, name, data):
            self.name = name
            self.type = data.get("type")
            self.host = data.get("host")
            self.port = data.get("port")
            self.user = data.get("user")
            self.password = data.get("password")
            self.database = data.get("database")
            self.path = data.get("path")

        def connect(self):
            """A DB-API connection: sqlite3 always; MariaDB/MySQL with pymysql or MySQLdb if installed."""
            if self.type == "sqlite":
                import sqlite3
                return sqlite3.connect(self.path)
            if self.type in ("mariadb", "mysql"):
                for name in ("pymysql", "MySQLdb"):
                    try:
                        module = _import(name)
                    except ImportError:
                        continue
                    kwargs = dict(host=self.host or "127.0.0.1", port=int(self.port or 3306), user=self.user or "",
                                  password=self.password or "", database=self.database)
                    if name == "MySQLdb":
                        kwargs["passwd"] = kwargs.pop("password")
                        kwargs["db"] = kwargs.pop("database")
                    return module.connect(**kwargs)
                raise RuntimeError("datasource %r: install pymysql (pip install pymysql) to connect from Python" % self.name)
            raise RuntimeError("datasource %r: no Python driver for type %r; use its parameters directly" % (self.name, self.type))

        def __repr__(self):
            return "Datasource(%r, type=%r, %s@%s:%s/%s)" % (self.name, self.type, self.user, self.host, self.port, self.database)


    class Context:
        """What quickup tells a tool: run, versions, stage, site, task parameters, datasources."""

        def __init__(self, data):
            self.raw = data
            self.run_id = data.get("run_id")
            self.from_version = data.get("from")
            self.to_version = data.get("to")
            self.stage = data.get("stage")
            self.site = data.get("site")
            self.component = data.get("component")
            self.attempt = data.get("attempt", 1)
            self.hook = data.get("hook")
            self.task = data.get("task") or {}
            self.parameters = self.task.get("parameters") or {}
            self.params = self.parameters
            self.environment = data.get("environment") or {}
            self.work_directory = data.get("work_directory")
            self.datasources = {name: Datasource(name, value) for name, value in (data.get("datasources") or {}).items()}

        def datasource(self, name=None):
            """By name, or by the task's role for it: `datasource("source")` is the task's `.source`."""
            if name is None:
                if not self.datasources:
                    raise KeyError("this tool has no datasource")
                return next(iter(self.datasources.values()))
            if name not in self.datasources and self.parameters.get(name) in self.datasources:
                name = self.parameters[name]
            try:
                return self.datasources[name]
            except KeyError:
                raise KeyError("no datasource %r; this tool has: %s" % (name, ", ".join(self.datasources) or "none"))

        # The reporting functions, also reachable from the context a function receives.
        def progress(self, percent=None, message=None, done=None, total=None, **_):
            progress(percent=percent, message=message, done=done, total=total)

        def log(self, message, level="info"):
            log(message, level=level)

        def result(self, value):
            result(value)


    def context():
        """The context quickup wrote on stdin (read once)."""
        global _context
        if _context is None:
            text = ""
            if sys.stdin is not None and not sys.stdin.isatty():
                # quickup writes UTF-8 whatever the tool's locale: read bytes. Python 3.6 under the C
                # locale would decode stdin as ASCII with surrogateescape, mangling every non-ASCII value.
                raw = getattr(sys.stdin, "buffer", None)
                text = raw.read().decode("utf-8") if raw is not None else sys.stdin.read()
            _context = Context(_loads(text) if text.strip() else {})
        return _context


    def progress(percent=None, message=None, done=None, total=None, **_):
        body = {}
        if percent is not None:
            body["percent"] = percent
        if done is not None and total:
            body["done"], body["total"] = done, total
        if message is not None:
            body["message"] = message
        _emit({"progress": body})


    def log(message, level="info"):
        _emit({"log": {"level": level, "message": str(message)}})


    def result(value):
        _emit({"result": value})


    def http(method, url, body=None, headers=None, timeout=30):
        """A small HTTP client (source §5.1.2): returns (status, text); JSON bodies are encoded."""
        import urllib.error  # imported here: it costs every tool ~10 ms of start-up otherwise
        import urllib.request
        data = None
        headers = dict(headers or {})
        if body is not None:
            data = body if isinstance(body, (bytes, bytearray)) else _dumps(body).encode()
            headers.setdefault("Content-Type", "application/json")
        request = urllib.request.Request(url, data=data, method=method.upper(), headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return response.status, response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode("utf-8", "replace")


    def _import(name):
        # Not importlib.import_module: `importlib` (and the `warnings` it imports) costs every tool
        # ~2 ms of a ~13 ms interpreter start. __import__ gives the top package of a dotted name,
        # so the module itself is taken from sys.modules.
        __import__(name)
        return sys.modules[name]


    def _run(entry, search_path):
        module_name, _, function_name = entry.partition(":")
        sys.path.insert(0, os.path.abspath(search_path))
        sys.path.insert(1, os.getcwd())
        module = _import(module_name)
        function = getattr(module, function_name, None)
        if function is None:
            sys.stderr.write("quickup_tool: %s has no function %r\n" % (module.__file__, function_name))
            return 2
        value = function(context())
        if value is not None:
            result(value)
        return 0


    def main(argv):
        if len(argv) >= 2 and argv[0] == "run":
            search_path = argv[argv.index("--path") + 1] if "--path" in argv else "tools"
            try:
                return _run(argv[1], search_path)
            except SystemExit:
                raise
            except BaseException:
                import traceback  # only on failure: it costs every tool ~3 ms of start-up otherwise
                traceback.print_exc()
                return 1
        sys.stderr.write("usage: python3 -m quickup_tool run module:function [--path DIR]\n")
        return 2


    if __name__ == "__main__":
        sys.exit(main(sys.argv[1:]))
    """#
}
