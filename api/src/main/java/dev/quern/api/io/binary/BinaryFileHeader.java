package dev.quern.api.io.binary;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UTFDataFormatException;
import java.util.Arrays;

/**
 * The header of a binary key/value file: the class names of keys and values and the file's sync
 * marker. {@code length} is the number of bytes the header occupies, where the first block starts.
 */
record BinaryFileHeader(String keyClass, String valueClass, byte[] sync, int length) {

  static BinaryFileHeader create(String keyClass, String valueClass, byte[] sync) {
    return new BinaryFileHeader(keyClass, valueClass, sync.clone(), encode(keyClass, valueClass,
        sync).length);
  }

  byte[] encode() {
    return encode(keyClass, valueClass, sync);
  }

  private static byte[] encode(String keyClass, String valueClass, byte[] sync) {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      DataOutputStream out = new DataOutputStream(bytes);
      out.write(BinaryFormat.MAGIC);
      out.writeByte(BinaryFormat.VERSION);
      out.writeUTF(keyClass);
      out.writeUTF(valueClass);
      out.write(sync);
      out.flush();
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new IllegalStateException("cannot happen with an in-memory stream", e);
    }
  }

  /** Reads the header from the start of {@code file}'s stream; fails naming the file. */
  static BinaryFileHeader read(InputStream in, String file) throws IOException {
    CountingInput counted = new CountingInput(in);
    DataInputStream data = new DataInputStream(counted);
    try {
      byte[] magic = new byte[BinaryFormat.MAGIC.length];
      data.readFully(magic);
      if (!Arrays.equals(magic, BinaryFormat.MAGIC)) {
        throw new IOException("file " + file + " is not a Quern binary key/value file "
            + "(it does not start with the magic bytes QBKV)");
      }
      int version = data.readUnsignedByte();
      if (version != BinaryFormat.VERSION) {
        throw new IOException("file " + file + " has binary format version " + version
            + "; this reader knows version " + BinaryFormat.VERSION);
      }
      String keyClass = data.readUTF();
      String valueClass = data.readUTF();
      byte[] sync = new byte[BinaryFormat.SYNC_LENGTH];
      data.readFully(sync);
      return new BinaryFileHeader(keyClass, valueClass, sync, (int) counted.count);
    } catch (EOFException | UTFDataFormatException e) {
      throw new IOException("file " + file + " is not a Quern binary key/value file "
          + "(its header is truncated or malformed)", e);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof BinaryFileHeader h && h.keyClass.equals(keyClass)
        && h.valueClass.equals(valueClass) && Arrays.equals(h.sync, sync) && h.length == length;
  }

  @Override
  public int hashCode() {
    return keyClass.hashCode() * 31 + Arrays.hashCode(sync);
  }

  @Override
  public String toString() {
    return "BinaryFileHeader[" + keyClass + ", " + valueClass + "]";
  }

  private static final class CountingInput extends InputStream {
    private final InputStream in;
    long count;

    CountingInput(InputStream in) {
      this.in = in;
    }

    @Override
    public int read() throws IOException {
      int b = in.read();
      if (b >= 0) {
        count++;
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = in.read(b, off, len);
      if (n > 0) {
        count += n;
      }
      return n;
    }
  }
}
