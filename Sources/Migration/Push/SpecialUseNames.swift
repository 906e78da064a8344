/// Folder names mail clients use for the special-use roles, per language: how a source folder
/// without SPECIAL-USE attributes is recognised, and how a target folder is found by name
/// when the target lacks them. One table, one place.
public enum SpecialUseNames {
    public static let table: [String: [String]] = [
        "\\Sent": [
            "Sent", "Sent Items", "Sent Messages", "Sent Mail", "Odeslaná pošta", "Odeslané", "Odeslane",
            "Gesendet", "Gesendete Elemente", "Gesendete Objekte", "Envoyés", "Éléments envoyés", "Enviados",
            "Inviata", "Posta inviata", "Verzonden", "Wysłane", "Отправленные",
        ],
        "\\Drafts": [
            "Drafts", "Draft", "Koncepty", "Rozepsané", "Entwürfe", "Brouillons", "Borradores", "Bozze",
            "Concepten", "Kopie robocze", "Черновики",
        ],
        "\\Trash": [
            "Trash", "Deleted Items", "Deleted Messages", "Bin", "Koš", "Odstraněná pošta", "Papierkorb",
            "Gelöschte Elemente", "Corbeille", "Éléments supprimés", "Papelera", "Cestino", "Prullenbak",
            "Kosz", "Корзина", "Удаленные",
        ],
        "\\Junk": [
            "Junk", "Junk E-mail", "Junk Email", "Spam", "Nevyžádaná pošta", "Nevyzadana posta", "Spam-Verdacht",
            "Junk-E-Mail", "Courrier indésirable", "Correo no deseado", "Posta indesiderata", "Ongewenste e-mail",
            "Спам",
        ],
        "\\Archive": ["Archive", "Archives", "Archiv", "Archivo", "Archivio", "Archief", "Archiwum", "Архив"],
    ]

    /// The role a top-level folder name suggests (case-insensitive), if any.
    public static func role(forName name: String) -> String? {
        let lowered = name.lowercased()
        return table.first { $0.value.contains { $0.lowercased() == lowered } }?.key
    }
}
