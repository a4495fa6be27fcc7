internal import Synchronization

/// The cells of this process that are in use, by address: the identity map
/// that makes restoring a key twice give closures sharing the same cells.
///
/// It holds its cells weakly, so memory follows the cells in use, not every
/// cell ever restored. One map serves all the engines of a store (see
/// ``EnginePool``), whichever connection a restore runs on; its own mutex
/// guards it, because those engines do not share a lock.
final class LiveCells: Sendable {
    private let state = Mutex(State())

    /// The live cell at `address` if one of type `Cell` is in use; else
    /// the one `make` makes, which is now the live one. One step, so that
    /// two connections restoring the same key at once get the same cell.
    func cell<Cell: AnyObject>(at address: CellAddress, orMake make: () -> Cell) -> Cell {
        state.withLock { state in
            if let live = state.cells[address]?.cell as? Cell { return live }
            let cell = make()
            state.cells[address] = WeakCell(cell: cell)
            if state.cells.count >= state.sweepThreshold {
                state.cells = state.cells.filter { $0.value.cell != nil }
                state.sweepThreshold = max(64, state.cells.count * 2)
            }
            return cell
        }
    }

    private struct State {
        var cells: [CellAddress: WeakCell] = [:]
        var sweepThreshold = 64
    }

    private struct WeakCell {
        weak var cell: AnyObject?
    }
}
