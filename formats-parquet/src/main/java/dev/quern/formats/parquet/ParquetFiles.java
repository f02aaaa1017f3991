package dev.quern.formats.parquet;

import dev.quern.api.Configuration;
import java.io.IOException;
import org.apache.avro.Schema;
import org.apache.parquet.avro.AvroSchemaConverter;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.ParquetMetadata;

/** Footer access with errors that name the file. */
final class ParquetFiles {
  private ParquetFiles() {}

  /** The file's footer; fails naming the file when it is not Parquet. */
  static ParquetMetadata footer(String file, Configuration conf) throws IOException {
    try (ParquetFileReader reader = ParquetFileReader.open(FsParquetFiles.input(file, conf))) {
      return reader.getFooter();
    } catch (RuntimeException | IOException e) {
      throw new IOException("file " + file + " is not a readable Parquet file: " + e.getMessage(),
          e);
    }
  }

  /** The Avro schema the file was written with, or one derived from its Parquet schema. */
  static Schema avroSchema(String file, ParquetMetadata footer) throws IOException {
    String stored = footer.getFileMetaData().getKeyValueMetaData().get("parquet.avro.schema");
    try {
      if (stored != null) {
        return new Schema.Parser().parse(stored);
      }
      return new AvroSchemaConverter().convert(footer.getFileMetaData().getSchema());
    } catch (RuntimeException e) {
      throw new IOException("Parquet file " + file + ": cannot derive an Avro schema: "
          + e.getMessage(), e);
    }
  }
}
