package dev.quern.raft.node;

/** The in-memory store against the persistence contract; "reopening" it is seeing the same object. */
class InMemoryRaftPersistenceTest extends RaftPersistenceContract {

  @Override
  protected RaftPersistence create() {
    return new InMemoryRaftPersistence();
  }

  @Override
  protected RaftPersistence reopen(RaftPersistence store) {
    return store;
  }
}
