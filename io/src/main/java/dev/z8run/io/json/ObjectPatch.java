package dev.z8run.io.json;

import dev.z8run.io.message.Bytes;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Replaces, removes and appends top-level members of a JSON object in one pass, through the
 * object's {@link FieldIndex}: the members kept are copied from the source as they are (key text
 * and value), the replaced ones take new value bytes, and the result's field index is written
 * beside it. This is how a script that changed a few fields of {@code msg} writes it back without
 * serialising the rest ({@link JsonPatch} does the same for one path of a Change rule).
 *
 * <p>Use: {@link #reset} with the source and its index, then {@link #replace}, {@link #remove} and
 * {@link #append} (new value bytes lie in one caller-owned buffer, named by offset and length),
 * then {@link #resultLength()} to claim exactly that many bytes, {@link #write} and, when {@link
 * #resultIndexLength()} is not 0, {@link #writeIndex}. The result is {@code {m0,m1,...}}: the
 * whitespace between members is dropped, the bytes of each kept member are the source's. When
 * {@link #sameShape()}, the result is the source with new values over old ones of the same length,
 * and {@link #writeReplaced} writes just those values over a copy of the source (or the source
 * itself), whose index stays valid.
 *
 * <p>The result's index says its keys are plain and unique ({@link FieldIndex#PLAIN_KEYS}) exactly
 * when they are: the source's flag carries over, and the keys appended are checked against it.
 *
 * <p>Reusable and allocation-free; not thread-safe (one per node instance).
 */
public final class ObjectPatch {
  /** Most members {@link #append} takes between two resets. */
  public static final int MAX_APPENDED = FieldIndex.MAX_FIELDS;

  private static final int KEEP = -1;
  private static final int REMOVE = -2;

  private DirectBuffer source;
  private int sourceOffset;
  private DirectBuffer index;
  private int indexOffset;
  private int count;
  private boolean sourcePlainKeys;
  // whether the result of the last write has plain, unique keys (for writeIndex)
  private boolean resultPlainKeys;
  // per source member: KEEP, REMOVE, or the offset of its new value in the values buffer
  private final int[] edit = new int[FieldIndex.MAX_FIELDS];
  private final int[] editLength = new int[FieldIndex.MAX_FIELDS];
  private final int[] appendKey = new int[MAX_APPENDED];
  private final int[] appendKeyLength = new int[MAX_APPENDED];
  private final int[] appendValue = new int[MAX_APPENDED];
  private final int[] appendValueLength = new int[MAX_APPENDED];
  private int appended;
  private int edits;
  private int removed;
  // the source's length when it is compact ({"k":v,"k":v}, nothing between the members), else -1:
  // then the members kept and the text between them are copied in runs, not one by one
  private int compactLength;

  /**
   * Starts a patch of the object whose JSON starts at {@code jsonOffset} of {@code json}, described
   * by the index at {@code indexOffset} of {@code index}.
   */
  public ObjectPatch reset(DirectBuffer json, int jsonOffset, DirectBuffer index, int indexOffset) {
    return reset(json, jsonOffset, -1, index, indexOffset);
  }

  /**
   * {@link #reset(DirectBuffer, int, DirectBuffer, int)} for a source of {@code jsonLength} bytes
   * (-1: not known). With the length, a compact source ({@code {"k":v,"k":v}}, as this class and
   * {@code JSON.stringify} write it) is patched in runs: the bytes between two edits are copied in
   * one move. The result is the same either way.
   */
  public ObjectPatch reset(
      DirectBuffer json, int jsonOffset, int jsonLength, DirectBuffer index, int indexOffset) {
    this.source = json;
    this.sourceOffset = jsonOffset;
    this.index = index;
    this.indexOffset = indexOffset;
    this.count = FieldIndex.count(index, indexOffset);
    this.sourcePlainKeys = FieldIndex.plainKeys(index, indexOffset);
    for (int n = 0; n < count; n++) {
      edit[n] = KEEP;
    }
    appended = 0;
    edits = 0;
    removed = 0;
    compactLength = jsonLength >= 0 && compact(jsonLength) ? jsonLength : -1;
    return this;
  }

  /**
   * Whether the source is {@code {"k":v,...,"k":v}} exactly, {@code jsonLength} bytes: as its index
   * says ({@link FieldIndex#COMPACT}, which {@link #writeIndex} and {@link FieldIndex#build}
   * write), its length checked against its last member; else read from its entries.
   */
  private boolean compact(int jsonLength) {
    if (count > 0 && FieldIndex.compact(index, indexOffset)) {
      return valueEnd(entry(count - 1)) - sourceOffset + 1 == jsonLength;
    }
    return FieldIndex.isCompact(index, indexOffset, count, jsonLength)
        && source.getByte(sourceOffset) == '{';
  }

  /** Members of the source object. */
  public int memberCount() {
    return count;
  }

  /** Whether anything was replaced, removed or appended since {@link #reset}. */
  public boolean changed() {
    return edits > 0;
  }

  /** Gives source member {@code member} (its index entry number) a new value. */
  public void replace(int member, int valueOffset, int valueLength) {
    if (edit[checkMember(member)] == REMOVE) {
      removed--;
    }
    edit[member] = valueOffset;
    editLength[member] = valueLength;
    edits++;
  }

  /** Leaves source member {@code member} out of the result. */
  public void remove(int member) {
    if (edit[checkMember(member)] != REMOVE) {
      removed++;
    }
    edit[member] = REMOVE;
    edits++;
  }

  /**
   * Adds a member after the source's: its key as a JSON string, quotes included, and its value,
   * both in the values buffer given to {@link #write}.
   *
   * @return false when {@link #MAX_APPENDED} members were appended already (nothing was added)
   */
  public boolean append(int keyOffset, int keyLength, int valueOffset, int valueLength) {
    if (appended == MAX_APPENDED) {
      return false;
    }
    appendKey[appended] = keyOffset;
    appendKeyLength[appended] = keyLength;
    appendValue[appended] = valueOffset;
    appendValueLength[appended] = valueLength;
    appended++;
    edits++;
    return true;
  }

  private int checkMember(int member) {
    if (member < 0 || member >= count) {
      throw new IndexOutOfBoundsException("member=" + member + " but the object has " + count);
    }
    return member;
  }

  /** Length of the patched JSON. */
  public int resultLength() {
    if (runs()) {
      int length = compactLength;
      for (int n = 0; n < count; n++) {
        if (edit[n] != KEEP) {
          int entry = entry(n);
          length += editLength[n] - (valueEnd(entry) - valueStart(entry));
        }
      }
      for (int a = 0; a < appended; a++) {
        length += 1 + appendKeyLength[a] + 1 + appendValueLength[a]; // ,"key":value
      }
      return length;
    }
    int length = 2; // { }
    int members = 0;
    for (int n = 0; n < count; n++) {
      if (edit[n] == REMOVE) {
        continue;
      }
      int entry = entry(n);
      int keyToValue = valueStart(entry) - keyStart(entry) + 1;
      length +=
          keyToValue + (edit[n] == KEEP ? valueEnd(entry) - valueStart(entry) : editLength[n]);
      members++;
    }
    for (int a = 0; a < appended; a++) {
      length += appendKeyLength[a] + 1 + appendValueLength[a];
      members++;
    }
    return length + Math.max(0, members - 1);
  }

  /**
   * Whether the result is the source with each replaced value written over the old one: a compact
   * source (given with its length to {@link #reset(DirectBuffer, int, int, DirectBuffer, int)}),
   * nothing removed or appended, every new value as long as the one it replaces. Then the result
   * has the source's length and the source's index describes it.
   */
  public boolean sameShape() {
    if (compactLength < 0 || removed > 0 || appended > 0) {
      return false;
    }
    for (int n = 0; n < count; n++) {
      if (edit[n] != KEEP) {
        int entry = entry(n);
        if (editLength[n] != valueEnd(entry) - valueStart(entry)) {
          return false;
        }
      }
    }
    return true;
  }

  /**
   * Writes the replaced values, read from {@code values}, over the old ones in a copy of the source
   * JSON that starts at {@code dstOffset} of {@code dst} (the source itself, or bytes copied from
   * it): the whole patch when {@link #sameShape()}.
   */
  public void writeReplaced(DirectBuffer values, MutableDirectBuffer dst, int dstOffset) {
    for (int n = 0; n < count; n++) {
      if (edit[n] >= 0) {
        int at = dstOffset + index.getInt(entry(n) + FieldIndex.VALUE_START);
        Bytes.copy(values, edit[n], dst, at, editLength[n]);
      }
    }
  }

  /**
   * Length of the result's index; 0 when it has more than {@link FieldIndex#MAX_FIELDS} members.
   */
  public int resultIndexLength() {
    int members = count - removed + appended;
    return members > FieldIndex.MAX_FIELDS ? 0 : FieldIndex.lengthFor(members);
  }

  /**
   * Writes the patched JSON, {@link #resultLength()} bytes, at {@code dstOffset} of {@code dst};
   * new keys and values are read from {@code values}.
   *
   * @return the number of bytes written
   */
  public int write(DirectBuffer values, MutableDirectBuffer dst, int dstOffset) {
    resultPlainKeys = plainKeys(values);
    if (runs()) {
      return writeRuns(values, dst, dstOffset);
    }
    int at = dstOffset;
    dst.putByte(at++, (byte) '{');
    boolean first = true;
    for (int n = 0; n < count; n++) {
      if (edit[n] == REMOVE) {
        continue;
      }
      if (!first) {
        dst.putByte(at++, (byte) ',');
      }
      first = false;
      int entry = entry(n);
      int keyFrom = keyStart(entry) - 1; // the opening quote
      int valueStart = valueStart(entry);
      Bytes.copy(source, keyFrom, dst, at, valueStart - keyFrom);
      at += valueStart - keyFrom;
      if (edit[n] == KEEP) {
        int valueLength = valueEnd(entry) - valueStart;
        Bytes.copy(source, valueStart, dst, at, valueLength);
        at += valueLength;
      } else {
        Bytes.copy(values, edit[n], dst, at, editLength[n]);
        at += editLength[n];
      }
    }
    at = writeAppended(values, dst, at, first);
    dst.putByte(at++, (byte) '}');
    return at - dstOffset;
  }

  /**
   * Whether the result's keys are plain and unique: the source's say so (or, when its index does
   * not, each kept key is checked), and each appended key is plain and new.
   */
  private boolean plainKeys(DirectBuffer values) {
    if (resultIndexLength() == 0) {
      return false;
    }
    for (int n = 0; !sourcePlainKeys && n < count; n++) {
      if (edit[n] != REMOVE) {
        int entry = entry(n);
        int keyLength = index.getInt(entry + FieldIndex.KEY_LENGTH);
        if (!FieldIndex.isPlain(source, keyStart(entry), keyLength)
            || keptKeyBefore(n, source, keyStart(entry), keyLength)) {
          return false;
        }
      }
    }
    for (int a = 0; a < appended; a++) {
      int key = appendKey[a] + 1; // inside the quotes: the key's characters when plain
      int keyLength = appendKeyLength[a] - 2;
      if (!FieldIndex.isPlain(values, key, keyLength)
          || keptKeyBefore(count, values, key, keyLength)) {
        return false;
      }
      for (int b = 0; b < a; b++) {
        if (appendKeyLength[b] == appendKeyLength[a]
            && FieldIndex.sameBytes(values, appendKey[b] + 1, values, key, keyLength)) {
          return false;
        }
      }
    }
    return true;
  }

  /** Whether a source member before {@code member}, and not removed, has the key at {@code at}. */
  private boolean keptKeyBefore(int member, DirectBuffer keys, int at, int length) {
    for (int n = 0; n < member; n++) {
      if (edit[n] != REMOVE) {
        int entry = entry(n);
        if (index.getInt(entry + FieldIndex.KEY_LENGTH) == length
            && FieldIndex.sameBytes(source, keyStart(entry), keys, at, length)) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * Writes the appended members at {@code at}, each after a comma unless it is the object's {@code
   * first} member; returns the offset after them.
   */
  private int writeAppended(DirectBuffer values, MutableDirectBuffer dst, int at, boolean first) {
    for (int a = 0; a < appended; a++) {
      if (!first) {
        dst.putByte(at++, (byte) ',');
      }
      first = false;
      Bytes.copy(values, appendKey[a], dst, at, appendKeyLength[a]);
      at += appendKeyLength[a];
      dst.putByte(at++, (byte) ':');
      Bytes.copy(values, appendValue[a], dst, at, appendValueLength[a]);
      at += appendValueLength[a];
    }
    return at;
  }

  /** Whether {@link #write} copies runs: a compact source, nothing removed. */
  private boolean runs() {
    return compactLength >= 0 && removed == 0;
  }

  /**
   * {@link #write} for a compact source with nothing removed: the text from one replaced value to
   * the next moves in one copy, appended members go before the closing brace.
   */
  private int writeRuns(DirectBuffer values, MutableDirectBuffer dst, int dstOffset) {
    int at = dstOffset;
    int from = sourceOffset;
    for (int n = 0; n < count; n++) {
      if (edit[n] == KEEP) {
        continue;
      }
      int entry = entry(n);
      int start = valueStart(entry);
      Bytes.copy(source, from, dst, at, start - from);
      at += start - from;
      Bytes.copy(values, edit[n], dst, at, editLength[n]);
      at += editLength[n];
      from = valueEnd(entry);
    }
    int close = sourceOffset + compactLength - 1; // the closing brace
    Bytes.copy(source, from, dst, at, close - from);
    at += close - from;
    // runs() holds only for a source with members left, so an appended member follows a comma
    at = writeAppended(values, dst, at, false);
    dst.putByte(at++, (byte) '}');
    return at - dstOffset;
  }

  /**
   * Writes the index of the JSON {@link #write} wrote (offsets relative to its first byte), when
   * {@link #resultIndexLength()} is not 0; after {@link #write}.
   */
  public void writeIndex(MutableDirectBuffer dst, int dstOffset) {
    int at = 1; // after {
    int members = 0;
    // write puts nothing between members: the result is compact when each kept key and value are
    boolean compact = true;
    for (int n = 0; n < count; n++) {
      if (edit[n] == REMOVE) {
        continue;
      }
      if (members > 0) {
        at++;
      }
      int entry = entry(n);
      int keyStart = keyStart(entry);
      int keyLength = index.getInt(entry + FieldIndex.KEY_LENGTH);
      int valueStart = valueStart(entry);
      int newValueStart = at + valueStart - keyStart + 1;
      int valueLength = edit[n] == KEEP ? valueEnd(entry) - valueStart : editLength[n];
      compact &= valueStart - keyStart == keyLength + 2; // "key": and nothing else
      FieldIndex.putEntry(
          dst, dstOffset, members, at + 1, keyLength, newValueStart, newValueStart + valueLength);
      at = newValueStart + valueLength;
      members++;
    }
    for (int a = 0; a < appended; a++) {
      if (members > 0) {
        at++;
      }
      int valueStart = at + appendKeyLength[a] + 1;
      int valueEnd = valueStart + appendValueLength[a];
      FieldIndex.putEntry(
          dst, dstOffset, members, at + 1, appendKeyLength[a] - 2, valueStart, valueEnd);
      at = valueEnd;
      members++;
    }
    FieldIndex.putCount(dst, dstOffset, members, resultPlainKeys, compact && members > 0);
  }

  private int entry(int member) {
    return indexOffset + FieldIndex.lengthFor(member);
  }

  /** Absolute offset in the source of the member's key's first byte (after the quote). */
  private int keyStart(int entry) {
    return sourceOffset + index.getInt(entry + FieldIndex.KEY_OFFSET);
  }

  private int valueStart(int entry) {
    return sourceOffset + index.getInt(entry + FieldIndex.VALUE_START);
  }

  private int valueEnd(int entry) {
    return sourceOffset + index.getInt(entry + FieldIndex.VALUE_END);
  }
}
