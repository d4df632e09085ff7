/// Facts about this build of quickup.
public enum QuickupInfo {
    public static let version = "0.1.0"
}
