import ArgumentParser
import Datasets
import Models

// The library's types as flags: each is parsed once, by its own initialiser from the text
// (`init?(argument:)`), and ArgumentParser hands the value itself to `gen` and to every
// script. A flag whose text the type refuses is reported naming the flag and what it takes.

extension LatentPath: ExpressibleByArgument {}
extension GeneratorLoss: ExpressibleByArgument {}
extension ModelKind: ExpressibleByArgument {}
extension Architecture: ExpressibleByArgument {}
extension ReconstructionLoss: ExpressibleByArgument {}
extension CodeActivation: ExpressibleByArgument {}
extension DataSource: ExpressibleByArgument {}

/// Refuses `value` outside `range`, naming the flag and the range.
public func bound(_ flag: String, _ value: Int, _ range: ClosedRange<Int>) throws {
    guard range.contains(value) else {
        throw ValidationError("\(flag) must be between \(range.lowerBound) and \(range.upperBound), got \(value)")
    }
}

/// `--hidden`: hidden layer widths (conv: channel counts), input side first; `none` is no
/// hidden layer at all.
public struct HiddenSizes: ExpressibleByArgument, Equatable, Sendable {
    /// The widths; empty for `none`.
    public let widths: [Int]

    /// The forms `--hidden` takes.
    public static let expected =
        "1 to \(Limits.hiddenLayers) widths from 1 to \(Limits.width) separated by commas, e.g. 512,256, or none"

    public init(_ widths: [Int]) { self.widths = widths }

    /// `512`, `512,256` or `none`; nil for anything else, a width out of range or too many layers.
    public init?(argument: String) {
        if argument == "none" { self.init([]); return }
        let parts = argument.split(separator: ",", omittingEmptySubsequences: false).map {
            Int($0.trimmingCharacters(in: .whitespaces))
        }
        guard !parts.isEmpty, parts.count <= Limits.hiddenLayers,
            case let widths = parts.compactMap({ $0 }), widths.count == parts.count,
            widths.allSatisfy({ (1...Limits.width).contains($0) })
        else {
            return nil
        }
        self.init(widths)
    }

    public var defaultValueDescription: String {
        widths.isEmpty ? "none" : widths.map(String.init).joined(separator: ",")
    }
}

/// `--weight-average`: the decay of the weights' average that evaluation and sampling read, or
/// `none`: the weights as trained.
public struct WeightAverageDecay: ExpressibleByArgument, Equatable, Sendable {
    /// The decay; nil for `none`.
    public let decay: Float?

    /// The forms `--weight-average` takes.
    public static let expected = "a decay above 0 and below 1, e.g. 0.999, or none"

    public init(_ decay: Float?) { self.decay = decay }

    /// `0.999` or `none`; nil for anything else, 0, 1 and beyond.
    public init?(argument: String) {
        if argument == "none" { self.init(nil); return }
        guard let decay = Float(argument), decay > 0 && decay < 1 else { return nil }
        self.init(decay)
    }

    public var defaultValueDescription: String { decay.map { "\($0)" } ?? "none" }
}

/// `--models`: model kinds separated by commas, each at most once.
public struct ModelKinds: ExpressibleByArgument, Sendable {
    /// The kinds, in the order given.
    public let kinds: [ModelKind]

    /// The forms `--models` takes.
    public static let expected =
        "\(ModelKind.allCases.map(\.rawValue).joined(separator: ", ")) separated by commas (each at most once)"

    public init(_ kinds: [ModelKind]) { self.kinds = kinds }

    public init?(argument: String) {
        let kinds = argument.split(separator: ",", omittingEmptySubsequences: false)
            .compactMap { ModelKind(rawValue: $0.trimmingCharacters(in: .whitespaces).lowercased()) }
        guard !kinds.isEmpty, kinds.count == argument.split(separator: ",", omittingEmptySubsequences: false).count,
            Set(kinds).count == kinds.count
        else { return nil }
        self.init(kinds)
    }

    public var defaultValueDescription: String { kinds.map(\.rawValue).joined(separator: ",") }
}

/// A flag's value parsed by `parse` (a type's `init?(argument:)`), or a refusal that says
/// what the flag takes (ArgumentParser names the flag and the value): the `transform` of an
/// `@Option` whose type has forms worth spelling out.
public func parsed<T>(_ text: String, expected: String, _ parse: (String) -> T?) throws -> T {
    guard let value = parse(text) else { throw ValidationError("expected \(expected)") }
    return value
}
