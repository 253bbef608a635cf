/**
 * Timer tags of a broker: `kind + TIMER_SPACE * argument`. One place for every kind so that the
 * broker's onTimer can route them without the modules knowing each other.
 */
export const TIMER_SPACE = 16;

/** Partition.maybeShrinkIsr: the isr-expiration task (replica-manager.ts). */
export const TIMER_ISR = 1;
/** The lab's acknowledgement lease: a promised leadership becomes real (replica-manager.ts). */
export const TIMER_PROMOTE = 2;
/** Held fetches answered (delayed-fetch.ts). */
export const TIMER_FETCH_HOLD = 3;
/** replica.socket.timeout.ms of a follower's fetch; argument: the leader host (replica-fetcher.ts). */
export const TIMER_FETCH_TIMEOUT = 4;
/** The preferred-replica rebalance check; argument: the controller generation (broker.ts). */
export const TIMER_REBALANCE = 5;
/** controlled.shutdown.retry.backoff.ms (broker.ts). */
export const TIMER_SHUTDOWN_RETRY = 6;
/** request.timeout.ms of a ControlledShutdown request; argument: the attempt (broker.ts). */
export const TIMER_SHUTDOWN_TIMEOUT = 7;
/** controller.socket.timeout.ms of a request to a broker; argument: the broker (channel.ts). */
export const TIMER_CHANNEL = 8;
/** ReplicaManager.maybePropagateIsrChanges (isr-change-notification.ts). */
export const TIMER_ISR_PROPAGATE = 9;
