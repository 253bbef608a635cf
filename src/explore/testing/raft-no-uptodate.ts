/**
 * A test-only double of a known election bug, for the explorer's own tests until the bug zoo's
 * variants land: raft whose voters grant votes without the §5.4.1 up-to-date check. It wraps the
 * real raft elector and rewrites every RequestVote a host receives to claim a log at least as
 * up to date as any (lastTerm and lastIndex at their maximum), so the real vote rule always
 * passes; everything else is raft's own code. It claims what raft claims: a violation is a finding.
 */
import { defineElector, type ElectorDefinition, type HostId, type Message } from "../../elector/api.ts";
import { raft, type RaftOptions } from "../../../algorithms/raft/index.ts";

export const raftNoUpToDateCheck: ElectorDefinition<RaftOptions> = defineElector<RaftOptions>({
  ...raft,
  name: "raft-no-uptodate",
  description: "TEST DOUBLE: raft voting without the §5.4.1 up-to-date check (RequestVote rewritten on arrival)",
  create: (ctx, options) => {
    const inner = raft.create(ctx, options);
    return {
      start: () => inner.start(),
      onMessage: (from: HostId, m: Message) => {
        if (m.type === "raft.RequestVote") inner.onMessage(from, { ...m, lastIndex: 2 ** 30, lastTerm: 2 ** 30 } as Message);
        else inner.onMessage(from, m);
      },
      onTimer: (tag) => inner.onTimer(tag),
      onZk: (e) => inner.onZk(e),
      onWrite: (p, w) => inner.onWrite(p, w),
      onPersisted: (tag) => inner.onPersisted?.(tag),
      ...(inner.digest !== undefined ? { digest: (n: (h: HostId) => number) => inner.digest!(n) } : {}),
    };
  },
});
