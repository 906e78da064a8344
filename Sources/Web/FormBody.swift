import Foundation
import Hummingbird
import MultipartKit

/// A posted form: its fields and, from a multipart body, the uploaded CSV's text.
struct FormBody: Sendable {
    var fields: [String: String] = [:]
    var csv: String?
    var csvFileName: String?

    struct TooLarge: Error {}
    struct Malformed: Error { var reason: String }

    static func read(_ request: Request, limit: Int) async throws -> FormBody {
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: limit)
        } catch {
            throw TooLarge()
        }
        let type = request.headers[.contentType] ?? ""
        if type.lowercased().hasPrefix("multipart/form-data") {
            guard let boundary = Self.parameter("boundary", of: type) else { throw Malformed(reason: "no boundary") }
            return try multipart(buffer, boundary: boundary)
        }
        return FormBody(fields: URLEncodedForm.fields(String(buffer: buffer)))
    }

    static func parameter(_ name: String, of header: String) -> String? {
        for part in header.split(separator: ";").dropFirst() {
            let pair = part.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
            if pair.count == 2, pair[0].lowercased() == name {
                return pair[1].trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            }
        }
        return nil
    }

    static func multipart(_ buffer: ByteBuffer, boundary: String) throws -> FormBody {
        var body = FormBody()
        let parser = MultipartParser(boundary: boundary)
        var disposition = ""
        var content = ByteBuffer()
        parser.onHeader = { name, value in
            if name.lowercased() == "content-disposition" { disposition = value }
        }
        parser.onBody = { chunk in content.writeBuffer(&chunk) }
        parser.onPartComplete = {
            let name = parameter(
                "name", of: "x; " + disposition.split(separator: ";").dropFirst().joined(separator: ";"))
            let fileName = parameter(
                "filename", of: "x; " + disposition.split(separator: ";").dropFirst().joined(separator: ";"))
            let text = String(buffer: content)
            if name == "csv" {
                if fileName?.isEmpty == false || !text.isEmpty {
                    body.csv = text
                    body.csvFileName = fileName
                }
            } else if let name {
                body.fields[name] = text
            }
            disposition = ""
            content = ByteBuffer()
        }
        do {
            try parser.execute(buffer)
        } catch {
            throw Malformed(reason: "\(error)")
        }
        if body.csv?.isEmpty == true && (body.csvFileName ?? "").isEmpty { body.csv = nil }
        return body
    }
}
