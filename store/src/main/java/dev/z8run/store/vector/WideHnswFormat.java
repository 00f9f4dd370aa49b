package dev.z8run.store.vector;

import java.io.IOException;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.KnnVectorsReader;
import org.apache.lucene.codecs.KnnVectorsWriter;
import org.apache.lucene.codecs.lucene99.Lucene99HnswVectorsFormat;
import org.apache.lucene.index.SegmentReadState;
import org.apache.lucene.index.SegmentWriteState;

/**
 * Lucene's HNSW vectors format (M = 16, beam width 100) for vectors of up to {@value
 * #MAX_DIMENSIONS} dimensions: Lucene stops at 1,024 by default, and OpenAI's embeddings have 1,536
 * or 3,072. The files are Lucene's own; the format is registered under {@value #NAME}
 * (META-INF/services) so that Lucene finds it again when it opens the index.
 */
public final class WideHnswFormat extends KnnVectorsFormat {
  /** The format's SPI name, recorded in each segment. */
  public static final String NAME = "Z8WideHnsw";

  /** Most dimensions a vector may have. */
  public static final int MAX_DIMENSIONS = 4096;

  private final KnnVectorsFormat delegate = new Lucene99HnswVectorsFormat(16, 100);

  public WideHnswFormat() {
    super(NAME);
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
