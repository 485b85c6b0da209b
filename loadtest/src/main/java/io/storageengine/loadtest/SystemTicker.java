package io.storageengine.loadtest;

import java.util.concurrent.locks.LockSupport;

/** The real clock of a load run: {@link System#nanoTime} and {@link LockSupport#parkNanos}. Stateless. */
final class SystemTicker implements OpenLoopDriver.Ticker {
    @Override
    public long nanoTime() {
        return System.nanoTime();
    }

    @Override
    public void sleepUntil(long deadlineNanos) throws InterruptedException {
        long left;
        while ((left = deadlineNanos - System.nanoTime()) > 0) {
            LockSupport.parkNanos(left);
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
        }
    }
}
