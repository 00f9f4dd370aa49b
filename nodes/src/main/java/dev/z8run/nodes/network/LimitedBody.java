package dev.z8run.nodes.network;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * A response body read into memory up to a limit: past {@code maxBytes} the exchange is cancelled
 * and the body completes with {@link TooLarge}, so a huge or endless response costs at most the
 * limit.
 */
final class LimitedBody implements HttpResponse.BodySubscriber<byte[]> {
  /** The response was longer than the limit. */
  static final class TooLarge extends RuntimeException {
    private static final long serialVersionUID = 1L;

    TooLarge(long maxBytes) {
      super("response body exceeds maxResponseBytes=" + maxBytes);
    }
  }

  private final long maxBytes;
  private final ByteArrayOutputStream body = new ByteArrayOutputStream();
  private final CompletableFuture<byte[]> result = new CompletableFuture<>();
  private Flow.Subscription subscription;

  LimitedBody(long maxBytes) {
    this.maxBytes = maxBytes;
  }

  /** A handler that refuses a declared Content-Length over the limit before reading anything. */
  static HttpResponse.BodyHandler<byte[]> handler(long maxBytes) {
    return info -> {
      long declared = info.headers().firstValueAsLong("content-length").orElse(-1);
      LimitedBody body = new LimitedBody(maxBytes);
      if (declared > maxBytes) {
        body.result.completeExceptionally(new TooLarge(maxBytes));
      }
      return body;
    };
  }

  @Override
  public CompletionStage<byte[]> getBody() {
    return result;
  }

  @Override
  public void onSubscribe(Flow.Subscription subscription) {
    this.subscription = subscription;
    if (result.isDone()) {
      subscription.cancel();
      return;
    }
    subscription.request(1);
  }

  @Override
  public void onNext(List<ByteBuffer> buffers) {
    for (ByteBuffer buffer : buffers) {
      if (body.size() + (long) buffer.remaining() > maxBytes) {
        subscription.cancel();
        result.completeExceptionally(new TooLarge(maxBytes));
        return;
      }
      byte[] bytes = new byte[buffer.remaining()];
      buffer.get(bytes);
      body.writeBytes(bytes);
    }
    subscription.request(1);
  }

  @Override
  public void onError(Throwable failure) {
    result.completeExceptionally(failure);
  }

  @Override
  public void onComplete() {
    result.complete(body.toByteArray());
  }
}
