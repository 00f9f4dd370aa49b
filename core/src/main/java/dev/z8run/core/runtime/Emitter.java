package dev.z8run.core.runtime;

import static dev.z8run.io.message.MessageDescriptor.BY_REFERENCE_BYTES;
import static dev.z8run.io.message.MessageDescriptor.CREDIT_OFFSET;
import static dev.z8run.io.message.MessageDescriptor.HEADER_LENGTH;
import static dev.z8run.io.message.MessageDescriptor.MAX_BODY_BYTES;
import static dev.z8run.io.message.MessageDescriptor.MSG_TYPE_ID;
import static dev.z8run.io.message.MessageDescriptor.REF_BODY_LENGTH;

import dev.z8run.core.node.Cancellable;
import dev.z8run.core.node.Output;
import dev.z8run.io.message.BodyBlocks;
import dev.z8run.io.message.Bytes;
import dev.z8run.io.message.MessageBody;
import dev.z8run.io.message.MessageBodyView;
import dev.z8run.io.message.MessageDescriptor;
import dev.z8run.io.message.MessageFlyweight;
import dev.z8run.io.message.ScratchBuffer;
import java.util.concurrent.locks.LockSupport;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;

/**
 * The {@link Output} a node writes to while it handles one message: copies each emitted message
 * into the inbox of every node wired to the port, splitting the input's execution credit among
 * them.
 *
 * <p>Credit: the most recent child is <em>held</em> (claimed but not committed, or parked in the
 * node's pending queue) until the next child appears, which gives the held one half of the credit
 * left; when the node returns, the held child takes the rest. A node that emits nothing returns its
 * credit to the execution table, which may complete the execution. This costs no atomic operation
 * per hop on a chain.
 *
 * <p>Back-pressure: on a worker ({@code waitWhenFull == false}) a child that finds its target inbox
 * full goes to the node's pending queue, and every later child of the node follows it there to keep
 * order; the worker stops feeding the node until the queue is flushed. On a virtual thread ({@code
 * waitWhenFull == true}) the emitter waits for room instead.
 *
 * <p>Fusion: a message for a single target that runs on the same worker, whose inbox is empty and
 * which has nothing pending, is not put through the target's ring. It is written into a scratch
 * buffer and held; when the node returns it becomes the <em>continuation</em> the worker runs next,
 * directly, with all the credit left. Order is kept: with the target's inbox empty, every earlier
 * message from this node to it has already been handled. A second child releases a held
 * continuation into the target's ring as usual.
 *
 * <p>Loops: a message on a back wire (one that closes a loop) is never fused and never enters the
 * pending queue. On a worker, when the target inbox is full it goes to the node's loop queue
 * (bounded, retried by the worker without stopping the node's input) or, past the queue's budget,
 * is dropped with an error on the node, a counted drop and a failed execution; its credit stays
 * with the sender and is returned. A blocking node waits up to {@link #LOOP_WAIT_MS} for room, then
 * drops the same way.
 *
 * <p>One per worker (reused for every message) or one per blocking task. Not thread-safe.
 */
final class Emitter implements Output {
  private static final int NONE = 0;
  private static final int IN_RING = 1;
  private static final int IN_PENDING = 2;
  private static final int IN_SCRATCH = 3;
  private static final int DEFERRED = 4;
  private static final int IN_LOOP = 5;

  /** How long a blocking node waits for room on a back wire before dropping the message. */
  static final long LOOP_WAIT_MS = 1_000;

  private static final int STAGED = 0;
  private static final int DIRECT = 1;
  private static final int FUSED = 2;
  private static final int BLOCK = 3;
  private static final int IN_PLACE = 4;

  private final WorkerAgent worker;
  private final boolean waitWhenFull;
  private final MessageFlyweight child = new MessageFlyweight();
  private final MessageFlyweight blockClaim = new MessageFlyweight();
  private final MessageBodyView sendBody = new MessageBodyView();
  private final ScratchBuffer staging = new ScratchBuffer(4096);
  private final UnsafeBuffer blockView = new UnsafeBuffer(new byte[0]);
  private final ScratchBuffer fusedA = new ScratchBuffer(4096);
  private final ScratchBuffer fusedB = new ScratchBuffer(4096);
  private ScratchBuffer fusedOut = fusedA;

  /** The scratch buffer the current input lives in (it came from a fused hop), or null. */
  private ScratchBuffer inputScratch;

  /** The scratch buffer of the child held {@code IN_SCRATCH}: {@link #fusedOut} or the input's. */
  private ScratchBuffer heldScratch;

  private ScratchBuffer continuationScratch = fusedA;
  private NodeInstance continuation;
  private int continuationLength;

  /** The credit of the continuation: {@link #begin} takes it instead of the record's field. */
  private long continuationCredit;

  private final MessageIds messageIds = new MessageIds();

  private NodeInstance node;
  private MessageFlyweight input;
  private long remainingCredit;
  private int children;

  private int heldKind = NONE;
  private NodeInstance heldTarget;
  private int heldIndex;
  private int heldLength;
  private DeferredMessage heldDeferred;
  private int deferrals;

  private int claimPort = -1;
  private int claimMode;
  private NodeInstance claimTarget;
  private int claimIndex;
  private int claimJsonLength;
  private int claimBinaryLength;
  private int claimIndexLength;

  Emitter(WorkerAgent worker, boolean waitWhenFull) {
    this.worker = worker;
    this.waitWhenFull = waitWhenFull;
  }

  /** Starts emitting on behalf of {@code node} for {@code input}. */
  void begin(NodeInstance node, MessageFlyweight input) {
    this.node = node;
    this.input = input;
    this.children = 0;
    this.deferrals = 0;
    this.heldKind = NONE;
    this.claimPort = -1;
    DirectBuffer header = input.headerBuffer();
    if (header == fusedA.buffer()) {
      inputScratch = fusedA;
      fusedOut = fusedB;
    } else {
      inputScratch = header == fusedB.buffer() ? fusedB : null;
      fusedOut = fusedA;
    }
    // a continuation's credit comes with it (finish), not in its record
    this.remainingCredit = inputScratch != null ? continuationCredit : input.credit();
  }

  /**
   * The node the worker must run next with the message left by the last {@link #finish()}, or null;
   * the message is in {@link #continuationBuffer()} at offset 0.
   */
  NodeInstance takeContinuation() {
    NodeInstance next = continuation;
    continuation = null;
    return next;
  }

  /**
   * The buffer for an execution's first record when a caller runs it inline ({@link
   * FlowRuntime#triggerInline}): the first node then takes the record as a fused hop's input, so a
   * node that forwards it or edits it in place (http-in, then change) does so without a copy. Only
   * between messages: nothing may be held in the scratch buffers.
   *
   * @param credit the credit the record carries, handed to {@link #begin} as a continuation's
   */
  UnsafeBuffer firstRecordBuffer(int recordLength, long credit) {
    continuationCredit = credit;
    return fusedA.ensure(recordLength, 0);
  }

  MutableDirectBuffer continuationBuffer() {
    return continuationScratch.buffer();
  }

  int continuationLength() {
    return continuationLength;
  }

  /**
   * Ends the current message: the held child takes the credit left, or the credit goes back to the
   * execution table.
   *
   * @return the number of children emitted
   */
  int finish() {
    if (claimPort >= 0) {
      abortClaim();
    }
    if (heldKind == IN_SCRATCH) {
      // the credit is handed to begin() directly: the record's credit field is read by nobody
      // else, and a record that leaves the scratch buffer gets its credit written (release)
      continuationCredit = remainingCredit;
      continuationScratch = heldScratch;
      continuation = heldTarget;
      continuationLength = heldLength;
      heldKind = NONE;
    } else if (heldKind != NONE) {
      release(remainingCredit);
    } else {
      node.flow.returnCredit(input.execSlot(), remainingCredit);
    }
    remainingCredit = 0;
    node = null;
    input = null;
    inputScratch = null;
    return children;
  }

  /** Whether the node deferred a message while handling the current input. */
  boolean deferred() {
    return deferrals != 0;
  }

  /** Drops an open claim (the node threw before committing). */
  void abortClaim() {
    if (claimPort >= 0 && claimMode == DIRECT) {
      claimTarget.inbox.abort(claimIndex);
    }
    if (claimPort >= 0 && claimMode == BLOCK) {
      node.flow.blocks.release(blockClaim.blockAddress());
    }
    claimPort = -1;
  }

  @Override
  public int portCount() {
    return node.targets.length;
  }

  @Override
  public boolean isWired(int port) {
    return port >= 0 && port < node.targets.length && node.targets[port].length > 0;
  }

  @Override
  public void forward(int port, MessageFlyweight msg) {
    deliver(port, msg, msg.messageId());
  }

  @Override
  public void send(int port, DirectBuffer json, int offset, int length) {
    deliver(port, sendBody.json(json, offset, length), nextMessageId());
  }

  @Override
  public void send(int port, MessageBody body) {
    deliver(port, body, nextMessageId());
  }

  @Override
  public MessageFlyweight claim(int port, int jsonLength, int binaryLength, int indexLength) {
    if (claimPort >= 0) {
      throw new IllegalStateException("a claim on port " + claimPort + " is still open");
    }
    checkPort(port);
    if (heldKind == IN_SCRATCH) {
      // the child held in a scratch buffer goes to its inbox first, as deliver does: the new one
      // may be written into that very buffer (fusedOut), and must not be run before it
      splitForNewChild();
    }
    claimPort = port;
    claimJsonLength = jsonLength;
    claimBinaryLength = binaryLength;
    claimIndexLength = indexLength;
    claimMode = STAGED;
    int bodyLength = checkBodyLength(jsonLength + binaryLength + indexLength);
    if (bodyLength > BY_REFERENCE_BYTES) {
      // written straight into a block; commit shares it with the targets. A block the memory
      // budget refuses throws (an error on this node) and leaves no claim open
      long block;
      try {
        block = node.flow.blocks.allocate(bodyLength, node.flow.account);
      } catch (RuntimeException refused) {
        claimPort = -1;
        throw refused;
      }
      claimMode = BLOCK;
      blockClaim.wrap(
          staging.ensure(HEADER_LENGTH + REF_BODY_LENGTH, 0), 0, HEADER_LENGTH + REF_BODY_LENGTH);
      blockClaim
          .inheritExecution(input)
          .messageId(0)
          .credit(0)
          .source(node.index, port, 0)
          .body(jsonLength, binaryLength > 0, indexLength);
      return blockClaim.bodyRef(block, bodyLength);
    }
    int recordLength = HEADER_LENGTH + bodyLength;
    int[] targets = node.targets[port];
    if (targets.length == 1 && !node.hasPending() && !node.loopBack[port][0]) {
      NodeInstance target = node.flow.instance(targets[0]);
      if (recordLength <= target.maxRecordLength) {
        // fused: into the continuation buffer; direct: into the target's inbox
        MutableDirectBuffer into = null;
        int at = 0;
        if (canFuse(target)) {
          claimMode = FUSED;
          into = fusedOut.ensure(recordLength, 0);
        } else {
          int index = target.inbox.tryClaim(MSG_TYPE_ID, recordLength);
          if (index > 0) {
            claimMode = DIRECT;
            claimIndex = index;
            into = target.inbox.buffer();
            at = index;
          }
        }
        if (into != null) {
          claimTarget = target;
          child.wrap(into, at, recordLength);
          putHeader(
              nextMessageId(),
              port,
              node.targetPorts[port][0],
              jsonLength,
              binaryLength,
              indexLength);
          return child;
        }
      }
    }
    child.wrap(staging.ensure(recordLength, 0), 0, recordLength);
    putHeader(0, port, 0, jsonLength, binaryLength, indexLength);
    return child;
  }

  @Override
  public MessageFlyweight claimInPlace(
      int port, MessageFlyweight msg, int jsonLength, int indexLength) {
    if (claimPort >= 0) {
      throw new IllegalStateException("a claim on port " + claimPort + " is still open");
    }
    checkPort(port);
    // only the input of a fused hop, before anything was emitted for it, unless someone needs the
    // original bytes afterwards: a trace samples them, a completion observer receives them
    if (msg != input
        || inputScratch == null
        || heldKind != NONE
        || children != 0
        || node.completeObserved
        || input.traced()
        || input.isBodyRef()) {
      return null;
    }
    // the port's single fusable target on this worker, resolved at deploy
    NodeInstance target = node.fuseTargets[port];
    if (target == null || node.hasPending()) {
      return null;
    }
    int binaryLength = input.binaryLength();
    int bodyLength = jsonLength + binaryLength + indexLength;
    int recordLength = HEADER_LENGTH + bodyLength;
    if (jsonLength < 0
        || indexLength < 0
        || bodyLength > BY_REFERENCE_BYTES
        || recordLength > inputScratch.buffer().capacity()
        || recordLength > target.maxRecordLength
        || !canFuseResolved(target)) {
      return null;
    }
    claimPort = port;
    claimMode = IN_PLACE;
    claimTarget = target;
    child.wrap(inputScratch.buffer(), 0, recordLength);
    // no credit(0): the commit holds the record as the continuation, whose credit finish() writes
    child
        .messageId(nextMessageId())
        .source(node.index, port, node.targetPorts[port][0])
        .body(jsonLength, binaryLength > 0, indexLength);
    input.reread(); // the input reads the new header from now on (Output.claimInPlace)
    return child;
  }

  @Override
  public void commit() {
    if (claimPort < 0) {
      throw new IllegalStateException("commit without an open claim");
    }
    int port = claimPort;
    claimPort = -1;
    if (claimMode == BLOCK) {
      try {
        deliver(port, blockClaim, nextMessageId());
      } finally {
        node.flow.blocks.release(blockClaim.blockAddress());
      }
      return;
    }
    if (claimMode == IN_PLACE) {
      // nothing was emitted before the claim (claimInPlace): no held child to release
      holdInScratch(claimTarget, child.length(), inputScratch);
      children++;
      node.countOut(1);
      return;
    }
    if (claimMode == DIRECT || claimMode == FUSED) {
      splitForNewChild();
      if (claimMode == DIRECT) {
        holdInRing(claimTarget, claimIndex);
      } else {
        holdInScratch(
            claimTarget,
            HEADER_LENGTH + claimJsonLength + claimBinaryLength + claimIndexLength,
            fusedOut);
      }
      children++;
      node.countOut(1);
      return;
    }
    deliver(
        port,
        sendBody
            .json(staging.buffer(), HEADER_LENGTH, claimJsonLength)
            .binary(staging.buffer(), HEADER_LENGTH + claimJsonLength, claimBinaryLength)
            .index(
                staging.buffer(),
                HEADER_LENGTH + claimJsonLength + claimBinaryLength,
                claimIndexLength),
        nextMessageId());
  }

  @Override
  public Cancellable defer(MessageFlyweight msg, long delayMs, int tag) {
    if (worker == null) {
      throw new IllegalStateException(
          "node '" + node.nodeId + "' is blocking: only worker-run nodes may defer messages");
    }
    if (delayMs < 0) {
      throw new IllegalArgumentException("delayMs=" + delayMs + " is negative");
    }
    // a large body waits by reference, as it travels (see deliver): the deferred record names its
    // block and holds one reference, which the node's run releases, or the cancel, or the stop
    long block = 0;
    boolean ownBlock = false;
    int indexLength = 0;
    int bodyLength = msg.jsonLength() + msg.binaryLength();
    if (msg.isBodyRef() || bodyLength + msg.indexLength() > BY_REFERENCE_BYTES) {
      // in a block, the body keeps its field index, as deliver's blocks do
      indexLength = msg.indexLength();
      bodyLength += indexLength;
      if (msg.isBodyRef()) {
        block = msg.blockAddress();
      } else {
        block = node.flow.blocks.allocate(checkBodyLength(bodyLength), node.flow.account);
        ownBlock = true;
        blockView.wrap(block, BodyBlocks.BLOCK_HEADER_LENGTH + bodyLength);
        copyBody(msg, blockView, BodyBlocks.BLOCK_HEADER_LENGTH);
      }
    }
    try {
      int recordLength = HEADER_LENGTH + (block != 0 ? REF_BODY_LENGTH : bodyLength);
      if (recordLength > node.maxRecordLength) {
        throw new IllegalArgumentException(
            "a deferred message of "
                + (recordLength - HEADER_LENGTH)
                + " bytes exceeds the node's own "
                + (node.maxRecordLength - HEADER_LENGTH)
                + "-byte inbox limit");
      }
      splitForNewChild();
      // the tag follows the record; the node sees the record without it
      UnsafeBuffer record = new UnsafeBuffer(new byte[recordLength + Integer.BYTES]);
      child.wrap(record, 0, recordLength);
      putHeader(msg.messageId(), 0, 0, msg.jsonLength(), msg.binaryLength(), indexLength);
      if (block != 0) {
        BodyBlocks.retain(block);
        child.bodyRef(block, bodyLength);
      } else {
        record.putBytes(child.jsonOffset(), msg.buffer(), msg.jsonOffset(), msg.jsonLength());
        if (msg.binaryLength() > 0) {
          record.putBytes(
              child.binaryOffset(), msg.buffer(), msg.binaryOffset(), msg.binaryLength());
        }
      }
      record.putInt(recordLength, tag);
      DeferredMessage deferred = new DeferredMessage(node, record, delayMs, block);
      heldKind = DEFERRED;
      heldDeferred = deferred;
      children++;
      deferrals++;
      return deferred;
    } finally {
      if (ownBlock) {
        node.flow.blocks.release(block);
      }
    }
  }

  /** Whether a message for {@code target} may skip its ring (see the class comment). */
  private boolean canFuse(NodeInstance target) {
    return target.fusable && canFuseResolved(target);
  }

  /**
   * {@link #canFuse} for a target known fusable (a {@link NodeInstance#fuseTargets} entry: on the
   * sending node's worker): what can change from one message to the next.
   */
  private boolean canFuseResolved(NodeInstance target) {
    return worker != null
        && target.worker == worker
        && !target.detached // its call runs on another thread: the message waits in its inbox
        && !target.hasPending()
        && target.inboxEmpty();
  }

  private void checkPort(int port) {
    if (port < 0 || port >= node.targets.length) {
      throw new IndexOutOfBoundsException(
          "port="
              + port
              + " but node '"
              + node.nodeId
              + "' has "
              + node.targets.length
              + " output ports");
    }
  }

  private long nextMessageId() {
    return messageIds.next();
  }

  /** Writes the child's header: the input's execution, this node's port, no credit yet. */
  private void putHeader(
      long messageId, int port, int targetPort, int jsonLength, int binLength, int indexLength) {
    child
        .inheritExecution(input)
        .messageId(messageId)
        .credit(0)
        .source(node.index, port, targetPort)
        .body(jsonLength, binLength > 0, indexLength);
  }

  /**
   * Copies the message to every target of {@code port}. A body larger than {@link
   * MessageDescriptor#BY_REFERENCE_BYTES} is not copied into the records: a body already in a block
   * (a forward, a committed block claim) is shared, any other is written into a new block once;
   * each record then names the block and holds one reference to it.
   */
  private void deliver(int port, MessageBody body, long messageId) {
    checkPort(port);
    int jsonLength = body.jsonLength();
    int binaryLength = body.binaryLength();
    int indexLength = body.indexLength();
    int bodyLength = checkBodyLength(jsonLength + binaryLength + indexLength);
    long block = 0;
    boolean ownBlock = false;
    if (body instanceof MessageFlyweight shared && shared.isBodyRef()) {
      block = shared.blockAddress();
    } else if (bodyLength > BY_REFERENCE_BYTES) {
      block = node.flow.blocks.allocate(bodyLength, node.flow.account);
      ownBlock = true;
      blockView.wrap(block, BodyBlocks.BLOCK_HEADER_LENGTH + bodyLength);
      copyBody(body, blockView, BodyBlocks.BLOCK_HEADER_LENGTH);
    }
    try {
      deliverRecords(port, body, messageId, block, bodyLength);
    } finally {
      if (ownBlock) {
        node.flow.blocks.release(block);
      }
    }
  }

  private void deliverRecords(
      int port, MessageBody body, long messageId, long block, int bodyLength) {
    int jsonLength = body.jsonLength();
    int binaryLength = body.binaryLength();
    int indexLength = body.indexLength();
    int[] targets = node.targets[port];
    int recordLength = HEADER_LENGTH + (block != 0 ? REF_BODY_LENGTH : bodyLength);
    int delivered = 0;
    for (int k = 0; k < targets.length; k++) {
      NodeInstance target = node.flow.instance(targets[k]);
      if (recordLength > target.maxRecordLength) {
        node.dropTooLarge(input, target, recordLength);
        continue;
      }
      int targetPort = node.targetPorts[port][k];
      splitForNewChild();
      if (node.loopBack[port][k]) {
        if (deliverOnLoop(target, port, targetPort, body, messageId, block, bodyLength)) {
          children++;
          delivered++;
        }
        continue;
      }
      if (targets.length == 1 && !node.hasPending() && canFuse(target)) {
        if (body == input && inputScratch != null && recordLength == input.length()) {
          // the input itself, in the scratch buffer it was fused into: a new header, no copy
          child.wrap(inputScratch.buffer(), 0, recordLength);
          child.messageId(messageId).credit(0).source(node.index, port, targetPort);
          if (block != 0) {
            BodyBlocks.retain(block);
          }
          holdInScratch(target, recordLength, inputScratch);
          children++;
          delivered++;
          continue;
        }
        child.wrap(fusedOut.ensure(recordLength, 0), 0, recordLength);
        putHeader(messageId, port, targetPort, jsonLength, binaryLength, indexLength);
        writeBody(body, block, bodyLength);
        holdInScratch(target, recordLength, fusedOut);
        children++;
        delivered++;
        continue;
      }
      int index = node.hasPending() ? -1 : claimOrWait(target, recordLength);
      if (index <= 0 && waitWhenFull) {
        node.dropStopped(input);
        continue;
      }
      if (index > 0) {
        child.wrap(target.inbox.buffer(), index, recordLength);
      } else {
        int at = node.pending.append(target.index, recordLength);
        child.wrap(node.pending.buffer(), at, recordLength);
      }
      putHeader(messageId, port, targetPort, jsonLength, binaryLength, indexLength);
      writeBody(body, block, bodyLength);
      if (index > 0) {
        holdInRing(target, index);
      } else {
        heldKind = IN_PENDING;
        heldIndex = child.offset();
        heldTarget = target;
      }
      children++;
      delivered++;
    }
    node.countOut(delivered);
  }

  /**
   * Writes one child for a back wire: into the target's inbox, else the loop queue, else drops it
   * (see the class comment). The held child, if any, was already released.
   *
   * @return whether the child was written (and is now held)
   */
  private boolean deliverOnLoop(
      NodeInstance target,
      int port,
      int targetPort,
      MessageBody body,
      long messageId,
      long block,
      int bodyLength) {
    int recordLength = HEADER_LENGTH + (block != 0 ? REF_BODY_LENGTH : bodyLength);
    int index;
    if (waitWhenFull) {
      index = claimOnLoop(target, recordLength);
      if (index <= 0) {
        return false;
      }
    } else {
      // every child is released (no credit still to write into the loop queue): it may move
      if (!node.loop.isEmpty()) {
        node.flushLoop();
      }
      index = !node.loop.isEmpty() ? -1 : target.inbox.tryClaim(MSG_TYPE_ID, recordLength);
    }
    if (index > 0) {
      child.wrap(target.inbox.buffer(), index, recordLength);
    } else {
      int at = node.loop.append(target.index, recordLength);
      if (at < 0) {
        node.dropLoopFull(input, target);
        return false;
      }
      node.countBlocked();
      child.wrap(node.loop.buffer(), at, recordLength);
    }
    putHeader(
        messageId, port, targetPort, body.jsonLength(), body.binaryLength(), body.indexLength());
    writeBody(body, block, bodyLength);
    if (index > 0) {
      holdInRing(target, index);
    } else {
      heldKind = IN_LOOP;
      heldIndex = child.offset();
      heldTarget = target;
    }
    return true;
  }

  /** A blocking node's claim on a back wire: waits up to {@link #LOOP_WAIT_MS}, then drops. */
  private int claimOnLoop(NodeInstance target, int recordLength) {
    int index = target.inbox.tryClaim(MSG_TYPE_ID, recordLength);
    long startNs = System.nanoTime();
    long parkNs = 1_000;
    while (index <= 0) {
      if (!node.flow.isActive()) {
        node.dropStopped(input);
        return -1;
      }
      long waitedMs = (System.nanoTime() - startNs) / 1_000_000;
      if (waitedMs >= LOOP_WAIT_MS) {
        node.dropLoopTimeout(input, target, waitedMs);
        return -1;
      }
      LockSupport.parkNanos(parkNs);
      parkNs = Math.min(parkNs * 2, 1_000_000);
      index = target.inbox.tryClaim(MSG_TYPE_ID, recordLength);
    }
    return index;
  }

  /** The child's body: a reference to {@code block} (one more holder), or a copy of the bytes. */
  private void writeBody(MessageBody body, long block, int bodyLength) {
    if (block != 0) {
      BodyBlocks.retain(block);
      child.bodyRef(block, bodyLength);
    } else {
      copyBody(body, (MutableDirectBuffer) child.buffer(), child.jsonOffset());
    }
  }

  /** Copies JSON, binary and index of {@code body} to {@code at} in {@code destination}. */
  private static void copyBody(MessageBody body, MutableDirectBuffer destination, int at) {
    int jsonLength = body.jsonLength();
    int binaryLength = body.binaryLength();
    int indexLength = body.indexLength();
    Bytes.copy(body.jsonBuffer(), body.jsonOffset(), destination, at, jsonLength);
    if (binaryLength > 0) {
      destination.putBytes(at + jsonLength, body.binaryBuffer(), body.binaryOffset(), binaryLength);
    }
    if (indexLength > 0) {
      Bytes.copy(
          body.indexBuffer(),
          body.indexOffset(),
          destination,
          at + jsonLength + binaryLength,
          indexLength);
    }
  }

  /** Refuses a body above {@link MessageDescriptor#MAX_BODY_BYTES}: an error on this node. */
  private int checkBodyLength(int bodyLength) {
    if (bodyLength > MAX_BODY_BYTES) {
      throw new IllegalArgumentException(
          "message body of "
              + bodyLength
              + " bytes exceeds the "
              + MAX_BODY_BYTES
              + "-byte maximum of the engine");
    }
    return bodyLength;
  }

  /** Puts a finished record (credit set) into the target's inbox, or the pending queue if full. */
  private void moveToInbox(NodeInstance target, DirectBuffer record, int recordLength) {
    int index = node.hasPending() ? -1 : target.inbox.tryClaim(MSG_TYPE_ID, recordLength);
    if (index > 0) {
      target.inbox.buffer().putBytes(index, record, 0, recordLength);
      target.inbox.commit(index);
      target.signal(worker);
    } else {
      node.countBlocked();
      int at = node.pending.append(target.index, recordLength);
      node.pending.buffer().putBytes(at, record, 0, recordLength);
    }
  }

  /** Claims room in the target inbox: at once on a worker, waiting on a virtual thread. */
  private int claimOrWait(NodeInstance target, int recordLength) {
    int index = target.inbox.tryClaim(MSG_TYPE_ID, recordLength);
    if (index > 0 || !waitWhenFull) {
      if (index <= 0) {
        node.countBlocked();
      }
      return index;
    }
    long parkNs = 1_000;
    while (index <= 0) {
      if (!node.flow.isActive()) {
        return -1;
      }
      LockSupport.parkNanos(parkNs);
      parkNs = Math.min(parkNs * 2, 1_000_000);
      index = target.inbox.tryClaim(MSG_TYPE_ID, recordLength);
    }
    return index;
  }

  /** Before a new child: the held one takes half the credit left and is released. */
  private void splitForNewChild() {
    if (heldKind == NONE) {
      return;
    }
    if (remainingCredit < 2) {
      node.flow.addCredit(input.execSlot(), ExecutionTable.REPLENISH_CREDIT);
      remainingCredit += ExecutionTable.REPLENISH_CREDIT;
    }
    long half = remainingCredit >>> 1;
    remainingCredit -= half;
    release(half);
  }

  private void holdInScratch(NodeInstance target, int recordLength, ScratchBuffer scratch) {
    heldKind = IN_SCRATCH;
    heldScratch = scratch;
    heldTarget = target;
    heldLength = recordLength;
  }

  private void holdInRing(NodeInstance target, int index) {
    heldKind = IN_RING;
    heldTarget = target;
    heldIndex = index;
  }

  private void release(long credit) {
    if (heldKind == IN_RING) {
      ManyToOneRingBuffer inbox = heldTarget.inbox;
      inbox.buffer().putLong(heldIndex + CREDIT_OFFSET, credit);
      inbox.commit(heldIndex);
      heldTarget.signal(worker);
    } else if (heldKind == IN_PENDING) {
      node.pending.buffer().putLong(heldIndex + CREDIT_OFFSET, credit);
    } else if (heldKind == IN_LOOP) {
      node.loop.buffer().putLong(heldIndex + CREDIT_OFFSET, credit);
    } else if (heldKind == IN_SCRATCH) {
      heldScratch.buffer().putLong(CREDIT_OFFSET, credit);
      heldKind = NONE;
      moveToInbox(heldTarget, heldScratch.buffer(), heldLength);
    } else if (heldKind == DEFERRED) {
      DeferredMessage deferred = heldDeferred;
      heldDeferred = null;
      deferred.schedule(credit);
    }
    heldKind = NONE;
  }
}
