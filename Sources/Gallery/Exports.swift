// The gallery draws on the `Drawing` target's canvas; whoever imports Gallery draws with it too.
@_exported import Drawing
