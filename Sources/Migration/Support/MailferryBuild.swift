/// The one version of mailferry: `--version`, archives' metadata and reports.
public enum MailferryBuild {
    public static let version = "0.2.0"
}
