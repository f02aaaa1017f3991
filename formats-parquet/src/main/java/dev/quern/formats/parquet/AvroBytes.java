package dev.quern.formats.parquet;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;

/**
 * Carries Avro records through Quern's shuffle as {@code byte[]} values (Avro binary encoding,
 * without the schema), since {@link GenericRecord} is not Kryo-friendly. The reducer decodes with
 * the same schema. Not thread-safe; one instance per task.
 *
 * <pre>{@code
 * AvroBytes avro = new AvroBytes(schema);                 // in the mapper's setup
 * ctx.emit(region, avro.encode(record));                  // map: GenericRecord -> byte[]
 * GenericRecord r = avro.decode(bytes);                   // reduce: byte[] -> GenericRecord
 * }</pre>
 */
public final class AvroBytes {
  private final GenericDatumWriter<GenericRecord> writer;
  private final GenericDatumReader<GenericRecord> reader;
  private final ByteArrayOutputStream buffer = new ByteArrayOutputStream(256);
  private BinaryEncoder encoder;
  private BinaryDecoder decoder;

  public AvroBytes(Schema schema) {
    this.writer = new GenericDatumWriter<>(schema);
    this.reader = new GenericDatumReader<>(schema);
  }

  public byte[] encode(GenericRecord record) {
    buffer.reset();
    encoder = EncoderFactory.get().binaryEncoder(buffer, encoder);
    try {
      writer.write(record, encoder);
      encoder.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return buffer.toByteArray();
  }

  public GenericRecord decode(byte[] bytes) {
    decoder = DecoderFactory.get().binaryDecoder(bytes, decoder);
    try {
      return reader.read(null, decoder);
    } catch (IOException e) {
      throw new UncheckedIOException("bytes do not decode as " + reader.getSchema().getFullName(),
          e);
    }
  }
}
