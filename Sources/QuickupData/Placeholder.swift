import CHiredis
import CMariaDB
import GRDB
import AsyncHTTPClient

enum LinkCheck {
    static func clientVersion() -> String { String(cString: mysql_get_client_info()) }
}
