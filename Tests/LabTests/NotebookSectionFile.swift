import Lab

// A section in a file of its own, the way a long lecture script keeps one
// (NotebookTests.sectionsInFiles reads its code back from the page).
func squaresSection(_ notebook: Notebook, upTo n: Int) {
    notebook.section("Squares", "From a file of its own.")
    let squares = (1...n).map { $0 * $0 }
    notebook.say("Squares: \(squares).")
}

// Not part of the section above: its code ends with its function.
func unrelatedHelper() -> Int { 1 }
