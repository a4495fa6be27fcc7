extension Store {
    /// Every change to the store, as it commits.
    ///
    /// - Parameter number: Resume after this change (a ``Change/number``
    ///   seen before, for example before a restart): every later change is
    ///   delivered, as long as history keeps it. Nil to start now.
    public func changes(after number: Int? = nil) -> Changes {
        Changes(engines: engines, scope: .store, after: number.map(Int64.init))
    }

    /// The changes to the instances of `factory`, as they commit; see ``changes(after:)``.
    public func changes<Instance>(of factory: Factory<Instance>, after number: Int? = nil) -> Changes {
        changes(ofFactoryNamed: factory.name, after: number)
    }

    /// The changes to the instances of the factory named `factory`, as they
    /// commit; see ``changes(after:)``.
    public func changes(ofFactoryNamed factory: String, after number: Int? = nil) -> Changes {
        Changes(engines: engines, scope: .factory(factory), after: number.map(Int64.init))
    }

    /// The changes to one instance's cells, and its deletion, as they
    /// commit; see ``changes(after:)``.
    public func changes(of instance: InstanceID, after number: Int? = nil) -> Changes {
        Changes(engines: engines, scope: .instance(instance), after: number.map(Int64.init))
    }

    /// One cell's value: its current value first (when it has one, and
    /// `number` is nil), then every committed change; see ``changes(after:)``.
    public func changes(of instance: InstanceID, cell: String, after number: Int? = nil) -> Changes {
        Changes(engines: engines, scope: .cell(instance, cell), after: number.map(Int64.init))
    }
}

extension PersistentCell {
    /// The cell's value, current first, then every committed change, from
    /// any process or host: for a factory's closures to hand out.
    ///
    /// ```swift
    /// let balance = cells.cell("balance", default: 0)
    /// let balances: @Sendable () -> Changes = { balance.changes() }
    /// ```
    ///
    /// See ``Changes`` and ``Store/changes(after:)``.
    public func changes(after number: Int? = nil) -> Changes {
        Changes(engines: engines, scope: .cell(instance, name), after: number.map(Int64.init))
    }
}
