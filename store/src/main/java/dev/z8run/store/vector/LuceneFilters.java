package dev.z8run.store.vector;

import java.util.List;
import java.util.Map;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.DoublePoint;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause.Occur;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.MatchAllDocsQuery;
import org.apache.lucene.search.MatchNoDocsQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.TermQuery;

/**
 * Metadata as Lucene fields, and the metadata filter grammar (the {@code vector-store} node's,
 * MongoDB style: {@code {"key": value}}, {@code $eq $ne $in $nin $gt $gte $lt $lte}) as a Lucene
 * query over them. A string or boolean value is a term of field {@code m.<key>}; a number is a
 * point of field {@code n.<key>}; an array gives one of each for its elements. Stateless.
 */
final class LuceneFilters {
  private LuceneFilters() {}

  /** Adds the top-level metadata values to {@code doc}. */
  static void index(Document doc, Map<?, ?> metadata) {
    metadata.forEach(
        (key, value) -> {
          if (value instanceof List<?> values) {
            values.forEach(element -> indexValue(doc, String.valueOf(key), element));
          } else {
            indexValue(doc, String.valueOf(key), value);
          }
        });
  }

  private static void indexValue(Document doc, String key, Object value) {
    if (value instanceof String || value instanceof Boolean) {
      doc.add(new StringField("m." + key, String.valueOf(value), Field.Store.NO));
    } else if (value instanceof Number number) {
      doc.add(new DoublePoint("n." + key, number.doubleValue()));
    }
  }

  /**
   * The query a filter stands for; null for an empty filter (everything).
   *
   * @throws IllegalArgumentException naming the key of a condition the grammar does not have
   */
  static Query query(Map<?, ?> filter) {
    if (filter.isEmpty()) {
      return null;
    }
    BooleanQuery.Builder all = new BooleanQuery.Builder();
    boolean onlyNegations = true;
    for (Map.Entry<?, ?> entry : filter.entrySet()) {
      String key = String.valueOf(entry.getKey());
      if (key.isEmpty() || key.startsWith("$")) {
        throw new IllegalArgumentException("filter: '" + key + "' is not a metadata key");
      }
      if (!(entry.getValue() instanceof Map<?, ?> operators)) {
        all.add(equal(key, entry.getValue()), Occur.FILTER);
        onlyNegations = false;
        continue;
      }
      double lower = Double.NEGATIVE_INFINITY;
      double upper = Double.POSITIVE_INFINITY;
      boolean range = false;
      for (Map.Entry<?, ?> op : operators.entrySet()) {
        String name = String.valueOf(op.getKey());
        Object value = op.getValue();
        switch (name) {
          case "$eq" -> {
            all.add(equal(key, value), Occur.FILTER);
            onlyNegations = false;
          }
          case "$ne" -> all.add(equal(key, value), Occur.MUST_NOT);
          case "$in" -> {
            BooleanQuery.Builder any = new BooleanQuery.Builder();
            for (Object element : list(key, name, value)) {
              any.add(equal(key, element), Occur.SHOULD);
            }
            all.add(any.build(), Occur.FILTER);
            onlyNegations = false;
          }
          case "$nin" -> {
            for (Object element : list(key, name, value)) {
              all.add(equal(key, element), Occur.MUST_NOT);
            }
          }
          case "$gt", "$gte", "$lt", "$lte" -> {
            if (!(value instanceof Number number)) {
              throw new IllegalArgumentException(
                  "filter." + key + "." + name + ": expected a number");
            }
            double bound = number.doubleValue();
            range = true;
            switch (name) {
              case "$gt" -> lower = Math.max(lower, Math.nextUp(bound));
              case "$gte" -> lower = Math.max(lower, bound);
              case "$lt" -> upper = Math.min(upper, Math.nextDown(bound));
              default -> upper = Math.min(upper, bound);
            }
          }
          default ->
              throw new IllegalArgumentException(
                  "filter." + key + ": unknown operator '" + name + "'");
        }
      }
      if (range) {
        all.add(DoublePoint.newRangeQuery("n." + key, lower, upper), Occur.FILTER);
        onlyNegations = false;
      }
    }
    if (onlyNegations) {
      all.add(new MatchAllDocsQuery(), Occur.FILTER);
    }
    return all.build();
  }

  private static List<?> list(String key, String operator, Object value) {
    if (value instanceof List<?> list) {
      return list;
    }
    throw new IllegalArgumentException("filter." + key + "." + operator + ": expected an array");
  }

  private static Query equal(String key, Object value) {
    if (value instanceof String || value instanceof Boolean) {
      return new TermQuery(new Term("m." + key, String.valueOf(value)));
    }
    if (value instanceof Number number) {
      return DoublePoint.newExactQuery("n." + key, number.doubleValue());
    }
    if (value == null) {
      return new MatchNoDocsQuery();
    }
    throw new IllegalArgumentException(
        "filter."
            + key
            + ": expected a string, number or boolean, got "
            + value.getClass().getSimpleName());
  }
}
