/**
 * The moves between a peer's roles in one group (QuorumPeer's state changes). The election, the
 * leader and the learner each call them through this interface, and the core implements them, so
 * the three rule files do not import one another.
 */
export interface Transitions {
  /** QuorumPeer enters LOOKING: leave the old role, start a new election round. */
  startLooking(g: number): void;
  /** FLE ended with our own vote: Leader.lead begins (discovery). */
  becomeLeader(g: number): void;
  /** FLE ended with another peer's vote: Learner.registerWithLeader begins. */
  becomeFollower(g: number, leaderSlot: number): void;
  /** Leaving LEADING or FOLLOWING: undo relations, withdraw declarations, fail pending writes. */
  leaveRole(g: number): void;
  /** A learner in slot j is gone (connection closed, or it is LOOKING again). */
  dropLearner(g: number, j: number): void;
}
