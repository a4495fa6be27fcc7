/// The folder that holds the file at `path`: `.` for a bare file name, `/`
/// for a file at the root.
package func folder(of path: String) -> String {
    guard let slash = path.lastIndex(of: "/") else { return "." }
    return slash == path.startIndex ? "/" : String(path[..<slash])
}
