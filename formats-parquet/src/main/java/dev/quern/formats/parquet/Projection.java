package dev.quern.formats.parquet;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;

/** Works out the Avro schema to read a file with: the expected schema, then the projection. */
final class Projection {
  private Projection() {}

  /**
   * The read schema for {@code file}: {@code expected} (checked against the file's schema) or the
   * file's own, narrowed to {@code columns} when that list is not empty.
   */
  static Schema readSchema(String file, Schema fileSchema, Schema expected, List<String> columns)
      throws IOException {
    Schema base = fileSchema;
    if (expected != null) {
      SchemaCompatibility.SchemaPairCompatibility c =
          SchemaCompatibility.checkReaderWriterCompatibility(expected, fileSchema);
      if (c.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
        throw new IOException("Parquet file " + file + " does not match the expected schema: "
            + describe(c) + "; the file's schema is " + fileSchema);
      }
      base = expected;
    }
    if (columns.isEmpty()) {
      return base;
    }
    if (base.getType() != Schema.Type.RECORD) {
      throw new IOException("Parquet file " + file + " does not hold records, so columns "
          + columns + " cannot be selected");
    }
    List<Schema.Field> fields = new ArrayList<>();
    for (String name : columns) {
      Schema.Field f = base.getField(name);
      if (f == null) {
        throw new IOException("Parquet file " + file + " has no column '" + name + "' (asked for in "
            + ParquetConfig.COLUMNS + "); its columns are " + names(base));
      }
      if (expected != null && fileSchema.getField(name) == null) {
        throw new IOException("Parquet file " + file + " has no column '" + name + "'");
      }
      fields.add(new Schema.Field(f, f.schema()));
    }
    return Schema.createRecord(base.getName(), base.getDoc(), base.getNamespace(),
        base.isError(), fields);
  }

  /**
   * The columns of {@code read} that the file has, typed as in the file: what to fetch from disk.
   * Parquet-avro fills the other fields of {@code read} from their defaults.
   */
  static Schema fileColumns(Schema fileSchema, Schema read) {
    if (read.getType() != Schema.Type.RECORD || fileSchema.getType() != Schema.Type.RECORD) {
      return read;
    }
    List<Schema.Field> fields = new ArrayList<>();
    for (Schema.Field f : read.getFields()) {
      Schema.Field inFile = fileSchema.getField(f.name());
      if (inFile != null) {
        fields.add(new Schema.Field(inFile, inFile.schema()));
      }
    }
    return Schema.createRecord(fileSchema.getName(), fileSchema.getDoc(),
        fileSchema.getNamespace(), fileSchema.isError(), fields);
  }

  static List<String> columns(String list) {
    if (list == null || list.isBlank()) {
      return List.of();
    }
    Set<String> out = new LinkedHashSet<>();
    for (String c : list.split(",")) {
      if (!c.isBlank()) {
        out.add(c.trim());
      }
    }
    return List.copyOf(out);
  }

  private static List<String> names(Schema record) {
    return record.getFields().stream().map(Schema.Field::name).toList();
  }

  private static String describe(SchemaCompatibility.SchemaPairCompatibility c) {
    StringBuilder sb = new StringBuilder();
    for (SchemaCompatibility.Incompatibility i : c.getResult().getIncompatibilities()) {
      if (sb.length() > 0) {
        sb.append("; ");
      }
      sb.append(i.getType()).append(" at ").append(i.getLocation()).append(": ")
          .append(i.getMessage());
    }
    return sb.length() == 0 ? c.getDescription() : sb.toString();
  }
}
