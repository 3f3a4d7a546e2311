import Drawing

/// What a figure's title bar says.
public struct FigureTitle: Sendable {
    public var title: String
    /// Model, data set, epoch, seed.
    public var details: String

    public init(_ title: String, details: String) {
        self.title = title
        self.details = details
    }

    public static let height = 44

    /// Draws the bar across the top of `canvas`.
    func draw(on canvas: Canvas) {
        canvas.fill(x: 0, y: 0, width: canvas.width, height: FigureTitle.height, color: .titleBar)
        canvas.text(title, x: 10, y: 19, size: 12, color: .white, bold: true)
        canvas.text(details, x: 10, y: 36, size: 9, color: Color(200, 210, 225))
    }

    /// The width the bar's text needs.
    var minimumWidth: Int {
        max(Canvas.textWidth(title, size: 12, bold: true), Canvas.textWidth(details, size: 9)) + 20
    }
}
