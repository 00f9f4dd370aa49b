package dev.z8run.store.vector;

import java.io.IOException;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.KnnVectorsReader;
import org.apache.lucene.codecs.KnnVectorsWriter;
import org.apache.lucene.codecs.lucene99.Lucene99HnswVectorsFormat;
import org.apache.lucene.index.SegmentReadState;
import org.apache.lucene.index.SegmentWriteState;

/**
 * Lucene's HNSW vectors format for vectors of up to {@value #MAX_DIMENSIONS} dimensions: Lucene
 * stops at 1,024 by default, and OpenAI's embeddings have 1,536 or 3,072. The files are Lucene's
 * own; the format is registered under {@value #NAME} (META-INF/services) so that Lucene finds it
 * again when it opens the index. The graph parameters (M, the beam width while building) only
 * matter when writing: a reader opens any graph.
 */
public final class WideHnswFormat extends KnnVectorsFormat {
  /** The format's SPI name, recorded in each segment. */
  public static final String NAME = "Z8WideHnsw";

  /** Most dimensions a vector may have. */
  public static final int MAX_DIMENSIONS = 4096;

  private final KnnVectorsFormat delegate;

  /** The format as Lucene's SPI creates it to read: Lucene's default graph parameters. */
  public WideHnswFormat() {
    this(VectorTuning.DEFAULTS);
  }

  /** The format that writes graphs with {@code tuning}'s M and beam width. */
  public WideHnswFormat(VectorTuning tuning) {
    super(NAME);
    this.delegate = new Lucene99HnswVectorsFormat(tuning.maxConnections(), tuning.beamWidth());
  }

  @Override
  public KnnVectorsWriter fieldsWriter(SegmentWriteState state) throws IOException {
    return delegate.fieldsWriter(state);
  }

  @Override
  public KnnVectorsReader fieldsReader(SegmentReadState state) throws IOException {
    return delegate.fieldsReader(state);
  }

  @Override
  public int getMaxDimensions(String fieldName) {
    return MAX_DIMENSIONS;
  }
}
