package dev.quern.formats.parquet;

/** Configuration keys of the Parquet formats. */
public final class ParquetConfig {
  private ParquetConfig() {}

  /** Output: the Avro schema (JSON) of the records written. Required by the output format. */
  public static final String SCHEMA = "quern.parquet.schema";

  /**
   * Output: {@code snappy} (default), {@code zstd}, {@code gzip}, {@code lz4_raw} or {@code
   * uncompressed}.
   */
  public static final String COMPRESSION = "quern.parquet.compression";

  /** Output: target row group size in bytes (k/m/g suffixes), default Parquet's 128m. */
  public static final String ROW_GROUP_SIZE = "quern.parquet.row-group-size";

  /** Input: comma list of top-level columns to read; default all. */
  public static final String COLUMNS = "quern.parquet.columns";

  /**
   * Input: the Avro schema (JSON) the job expects. Every file must be readable as it (Avro's
   * reader/writer compatibility); records come out in this schema. Default: each file's own.
   */
  public static final String EXPECTED_SCHEMA = "quern.parquet.expected-schema";
}
