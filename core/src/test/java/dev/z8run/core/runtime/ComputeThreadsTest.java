package dev.z8run.core.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.z8run.testkit.Poll;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ComputeThreadsTest {
  @Test
  void shouldGiveACallToAnIdleThreadRatherThanStartAnother() throws Exception {
    ComputeThreads compute = new ComputeThreads(8, 10);
    try {
      Set<Thread> used = ConcurrentHashMap.newKeySet();
      for (int i = 0; i < 50; i++) {
        CountDownLatch done = new CountDownLatch(1);
        compute.execute(
            () -> {
              used.add(Thread.currentThread());
              done.countDown();
            });
        assertTrue(done.await(10, TimeUnit.SECONDS));
        awaitIdle(compute);
      }
      assertEquals(1, used.size(), "threads for 50 calls one after another: " + used);
      assertEquals(1, compute.threads());
      Thread thread = used.iterator().next();
      assertFalse(thread.isVirtual());
      assertTrue(thread.isDaemon());
      assertTrue(thread.getName().startsWith("z8-compute-"), thread.getName());
    } finally {
      compute.shutdownNow();
    }
  }

  @Test
  void shouldStartThreadsUpToItsLimitAndQueueTheCallsBeyond() throws Exception {
    ComputeThreads compute = new ComputeThreads(3, 10);
    try {
      CountDownLatch release = new CountDownLatch(1);
      CountDownLatch done = new CountDownLatch(7);
      Set<Thread> used = ConcurrentHashMap.newKeySet();
      for (int i = 0; i < 7; i++) {
        compute.execute(
            () -> {
              used.add(Thread.currentThread());
              try {
                release.await();
              } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
              }
              done.countDown();
            });
      }
      assertEquals(3, compute.threads(), "seven calls at once, three threads at most");
      release.countDown();
      assertTrue(done.await(10, TimeUnit.SECONDS), "every queued call ran");
      assertEquals(3, used.size());
    } finally {
      compute.shutdownNow();
    }
  }

  @Test
  void shouldEndIdleThreadsAndRefuseCallsOnceShutDown() throws Exception {
    ComputeThreads compute = new ComputeThreads(2, 1);
    CountDownLatch done = new CountDownLatch(1);
    compute.execute(done::countDown);
    assertTrue(done.await(10, TimeUnit.SECONDS));
    Poll.eventually("a thread idle past its time ends").until(() -> compute.threads() == 0);
    compute.shutdownNow();
    assertThrows(RejectedExecutionException.class, () -> compute.execute(() -> {}));
  }

  private static void awaitIdle(ComputeThreads compute) {
    Poll.eventually("the thread went back to waiting for calls").until(compute::hasIdleThread);
  }
}
