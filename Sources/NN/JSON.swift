import Foundation

// The stable JSON of configurations, metrics lines and checkpoint headers: keys in the order
// given, numbers as given.

/// A JSON object with keys in the given order; each value is already JSON.
public func jsonObject(_ pairs: [(String, String)]) -> String {
    "{" + pairs.map { "\(jsonQuoted($0.0)):\($0.1)" }.joined(separator: ",") + "}"
}

/// A JSON number with enough digits to read back the same Float (null when not finite).
public func jsonNumber(_ x: Double) -> String {
    x.isFinite ? String(format: "%.6g", x) : "null"
}

/// A JSON string literal.
public func jsonQuoted(_ s: String) -> String {
    var out = "\""
    for scalar in s.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
        default: out.unicodeScalars.append(scalar)
        }
    }
    return out + "\""
}

/// JSON text made safe to stand inside an HTML `<script>` element: `<`, `>` and `&` (which
/// could close the element or open a comment there) and U+2028/U+2029 (line ends to older
/// JavaScript) become `\u` escapes. They can only occur inside JSON strings, where the escape
/// means the same character, so the value read back is unchanged.
public func scriptEmbeddable(_ json: String) -> String {
    var out = ""
    out.unicodeScalars.reserveCapacity(json.unicodeScalars.count)
    for scalar in json.unicodeScalars {
        switch scalar {
        case "<", ">", "&", "\u{2028}", "\u{2029}": out += String(format: "\\u%04x", scalar.value)
        default: out.unicodeScalars.append(scalar)
        }
    }
    return out
}
