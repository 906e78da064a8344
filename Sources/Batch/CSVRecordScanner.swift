/// Where each record of a CSV text starts and ends, and whether its quoting is well formed.
///
/// CSV.swift splits a record into fields and undoes the quoting, but it accepts what RFC 4180
/// does not (an unclosed quote runs silently to the end of the file, a stray quote in an
/// unquoted field is kept) and it does not say on which line a record began. This scan keeps
/// only that: record boundaries with their line numbers, and the quoting faults.
struct CSVRecordScanner {
    struct Record {
        var line: Int
        var text: Substring
        var quotingProblem: String?
    }

    static func records(in text: String) -> [Record] {
        var records: [Record] = []
        var line = 1, recordLine = 1
        var start = text.startIndex, index = text.startIndex
        var inQuotes = false, atFieldStart = true, afterClosingQuote = false
        var problem: String?
        func finish(at end: String.Index) {
            let body = text[start..<end]
            if !(body.isEmpty && problem == nil) || inQuotes {
                records.append(Record(line: recordLine, text: body, quotingProblem: problem))
            }
            problem = nil; atFieldStart = true; afterClosingQuote = false
        }
        while index < text.endIndex {
            let character = text[index]
            if inQuotes {
                if character == "\"" {
                    let next = text.index(after: index)
                    if next < text.endIndex && text[next] == "\"" {
                        index = next  // a doubled quote inside quotes
                    } else {
                        inQuotes = false
                        afterClosingQuote = true
                    }
                } else if character.isNewline {
                    line += 1
                }
            } else if character == "," {
                atFieldStart = true; afterClosingQuote = false
            } else if character.isNewline {
                finish(at: index)
                line += 1
                recordLine = line
                start = text.index(after: index)
            } else if character == "\"" {
                if atFieldStart {
                    inQuotes = true
                } else if problem == nil {
                    problem = "a quote inside an unquoted field (quote the whole field, doubling the quote)"
                }
                atFieldStart = false
            } else {
                if afterClosingQuote && problem == nil {
                    problem = "text after a closing quote (quote the whole field, doubling inner quotes)"
                }
                atFieldStart = false
            }
            index = text.index(after: index)
        }
        if inQuotes { problem = "unclosed quote (the field runs to the end of the file)" }
        finish(at: text.endIndex)
        return records
    }
}
