// Reading a script's own source for its notebook page: where a call ends (so a section's code
// starts on the next line), and the code split into comments, string literals and the rest (so
// the page can colour them). A small lexer, not a parser: it knows Swift's comments (nested
// block comments too), string literals (single-line, multi-line, escapes and interpolations that
// hold code with strings of their own) and brackets, which is all either job needs.

/// A script's source text, as lines, with the two questions a notebook page asks of it.
public struct SwiftSource: Sendable {
    /// One span of source text and what it is.
    public enum Token: Equatable, Sendable {
        case code(String)
        case comment(String)
        case string(String)
    }

    /// The file's lines, without their line breaks.
    public let lines: [String]

    public init(_ text: String) {
        lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }

    /// The 1-based number of the line after the one where the call starting on line `line`
    /// closes its last bracket: the first line of the code that follows a possibly multi-line
    /// call such as `notebook.section("…", """ … """)`. A call whose brackets never close runs
    /// to the end of the file.
    public func lineAfterCall(startingAt line: Int) -> Int {
        guard line >= 1 && line <= lines.count else { return lines.count + 1 }
        let text = Array(lines[(line - 1)...].joined(separator: "\n") + "\n")
        let kinds = SwiftLexer.classify(text)
        var depth = 0, opened = false, lineNumber = line
        for (character, kind) in zip(text, kinds) {
            if kind == .code {
                switch character {
                case "(", "[", "{": depth += 1; opened = true
                case ")", "]", "}": depth -= 1
                default: break
                }
            }
            if character == "\n" {
                if opened && depth <= 0 { return lineNumber + 1 }
                lineNumber += 1
            }
        }
        return lines.count + 1
    }

    /// The 1-based line of the first `}` from line `line` on that closes a block opened before
    /// it: the end of the function (or other block) a section's code sits in, when nothing else
    /// ends it first. Past the last line if no block closes.
    public func blockEnd(from line: Int) -> Int {
        guard line >= 1 && line <= lines.count else { return lines.count + 1 }
        let text = Array(lines[(line - 1)...].joined(separator: "\n") + "\n")
        let kinds = SwiftLexer.classify(text)
        var depth = 0, lineNumber = line
        for (character, kind) in zip(text, kinds) {
            if kind == .code && character == "{" { depth += 1 }
            if kind == .code && character == "}" {
                depth -= 1
                if depth < 0 { return lineNumber }
            }
            if character == "\n" { lineNumber += 1 }
        }
        return lines.count + 1
    }

    /// Lines `from` up to, not including, `to` (1-based), with blank lines at either end dropped
    /// and the indentation they all share removed: a section's code as the page shows it.
    public func excerpt(from: Int, to: Int) -> String {
        let lower = max(from, 1), upper = min(to, lines.count + 1)
        guard lower < upper else { return "" }
        var chosen = Array(lines[(lower - 1)..<(upper - 1)])
        let isBlank = { (line: String) in line.allSatisfy { $0 == " " || $0 == "\t" } }
        while let first = chosen.first, isBlank(first) { chosen.removeFirst() }
        while let last = chosen.last, isBlank(last) { chosen.removeLast() }
        let indent = chosen.filter { !isBlank($0) }.map { $0.prefix { $0 == " " }.count }.min() ?? 0
        return chosen.map { isBlank($0) ? "" : String($0.dropFirst(indent)) }.joined(separator: "\n")
    }

    /// `text` split into code, comments and string literals, in order; joined, the tokens give
    /// back `text` exactly.
    public static func tokens(_ text: String) -> [Token] {
        let characters = Array(text)
        let kinds = SwiftLexer.classify(characters)
        var tokens: [Token] = []
        guard !characters.isEmpty else { return tokens }
        var start = 0
        for end in 1...characters.count where end == characters.count || kinds[end] != kinds[start] {
            let span = String(characters[start..<end])
            switch kinds[start] {
            case .code: tokens.append(.code(span))
            case .comment: tokens.append(.comment(span))
            case .string: tokens.append(.string(span))
            }
            start = end
        }
        return tokens
    }
}

/// Swift's lexical states over a whole text: each character classed as code, part of a comment
/// or part of a string literal (its quotes included). Interpolations `\( … )` inside strings are
/// code again, to any depth; block comments nest, as in Swift.
enum SwiftLexer {
    enum Kind: Equatable { case code, comment, string }

    private enum State: Equatable {
        case code(parentheses: Int)  // open parentheses here: an interpolation ends at the one that closes it
        case lineComment
        case blockComment(depth: Int)
        case string(multiline: Bool)
    }

    static func classify(_ text: [Character]) -> [Kind] {
        guard !text.isEmpty else { return [] }
        var kinds = [Kind](repeating: .code, count: text.count)
        var stack: [State] = [.code(parentheses: 0)]  // the innermost state last
        func at(_ i: Int) -> Character? { i < text.count ? text[i] : nil }
        var i = 0
        // Classes `count` characters from i as `kind` and moves past them.
        func take(_ count: Int, as kind: Kind) {
            for j in i..<min(i + count, text.count) { kinds[j] = kind }
            i += count
        }
        while i < text.count {
            let c = text[i]
            switch stack[stack.count - 1] {
            case .code(let parentheses):
                if c == "/" && at(i + 1) == "/" {
                    stack.append(.lineComment); take(2, as: .comment)
                } else if c == "/" && at(i + 1) == "*" {
                    stack.append(.blockComment(depth: 1)); take(2, as: .comment)
                } else if c == "\"" {
                    let multiline = at(i + 1) == "\"" && at(i + 2) == "\""
                    stack.append(.string(multiline: multiline))
                    take(multiline ? 3 : 1, as: .string)
                } else if c == ")" && parentheses == 0 && stack.count > 1 {
                    stack.removeLast()  // the interpolation's closing parenthesis belongs to its string
                    take(1, as: .string)
                } else {
                    if c == "(" { stack[stack.count - 1] = .code(parentheses: parentheses + 1) }
                    if c == ")" { stack[stack.count - 1] = .code(parentheses: max(parentheses - 1, 0)) }
                    take(1, as: .code)
                }
            case .lineComment:
                if c == "\n" { stack.removeLast(); take(1, as: .code) } else { take(1, as: .comment) }
            case .blockComment(let depth):
                if c == "*" && at(i + 1) == "/" {
                    if depth == 1 {
                        stack.removeLast()
                    } else {
                        stack[stack.count - 1] = .blockComment(depth: depth - 1)
                    }
                    take(2, as: .comment)
                } else if c == "/" && at(i + 1) == "*" {
                    stack[stack.count - 1] = .blockComment(depth: depth + 1)
                    take(2, as: .comment)
                } else {
                    take(1, as: .comment)
                }
            case .string(let multiline):
                if c == "\\" {
                    if at(i + 1) == "(" {
                        take(2, as: .string); stack.append(.code(parentheses: 0))
                    } else {
                        take(2, as: .string)
                    }
                } else if c == "\"" && (!multiline || (at(i + 1) == "\"" && at(i + 2) == "\"")) {
                    stack.removeLast()
                    take(multiline ? 3 : 1, as: .string)
                } else if c == "\n" && !multiline {
                    stack.removeLast()  // an unclosed literal ends with its line
                    take(1, as: .code)
                } else {
                    take(1, as: .string)
                }
            }
        }
        return kinds
    }
}
