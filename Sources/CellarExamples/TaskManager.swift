public import Cellar

/// A task of the task manager: Python's `{"name": ..., "priority": ...}`.
public struct PlannedTask: Codable, Sendable, Hashable, CustomStringConvertible {
    public var name: String
    public var priority: Int

    public init(name: String, priority: Int) {
        self.name = name
        self.priority = priority
    }

    public var description: String { "\(name) (priority \(priority))" }
}

/// Python's `create_task_manager()`: a collection held in a cell.
///
/// ```python
/// def create_task_manager():
///     tasks = []
///     def manage(action, task=None):
///         if action == "add" and task: tasks.append(task)
///         elif action == "remove" and task: tasks.remove(task)
///         elif action == "clear": tasks.clear()
///         elif action == "get_high_priority":
///             return [t for t in tasks if t["priority"] >= 8]
///         return sorted(tasks, key=lambda x: x["priority"], reverse=True)
///     return manage
/// ```
///
/// Every action but `highPriority` returns the tasks sorted by priority,
/// highest first, equal priorities in the order they were added. The list is
/// stored as JSON and survives restarts.
public struct TaskManager: Sendable {
    public let add: @Sendable (PlannedTask) throws -> [PlannedTask]
    /// Throws ``TaskManagerError/notFound(_:)`` if the task is not in the list,
    /// as Python's `list.remove` raises `ValueError`.
    public let remove: @Sendable (PlannedTask) throws -> [PlannedTask]
    public let clear: @Sendable () throws -> [PlannedTask]
    public let highPriority: @Sendable () throws -> [PlannedTask]
    public let sorted: @Sendable () throws -> [PlannedTask]
}

public enum TaskManagerError: Error, Equatable, CustomStringConvertible {
    case notFound(PlannedTask)

    public var description: String {
        switch self {
        case .notFound(let task): "The task \(task) is not in the list."
        }
    }
}

public let taskManagerFactory = Factory("task_manager") { cells in
    let tasks = cells.cell("tasks", default: [PlannedTask]())

    /// Highest priority first; stable, like Python's `sorted(..., reverse=True)`.
    @Sendable func byPriority(_ tasks: [PlannedTask]) -> [PlannedTask] {
        tasks.enumerated()
            .sorted { ($0.element.priority, -$0.offset) > ($1.element.priority, -$1.offset) }
            .map(\.element)
    }

    return TaskManager(
        add: { task in byPriority(try tasks.update { $0.append(task); return $0 }) },
        remove: { task in
            byPriority(try tasks.update { tasks in
                guard let index = tasks.firstIndex(of: task) else { throw TaskManagerError.notFound(task) }
                tasks.remove(at: index)
                return tasks
            })
        },
        clear: { byPriority(try tasks.update { $0.removeAll(); return $0 }) },
        highPriority: { try tasks.get().filter { $0.priority >= 8 } },
        sorted: { byPriority(try tasks.get()) })
}
