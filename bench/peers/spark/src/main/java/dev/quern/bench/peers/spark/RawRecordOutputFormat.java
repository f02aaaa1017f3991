package dev.quern.bench.peers.spark;

import java.io.DataOutputStream;
import java.io.IOException;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.mapreduce.RecordWriter;
import org.apache.hadoop.mapreduce.TaskAttemptContext;
import org.apache.hadoop.mapreduce.lib.output.FileOutputFormat;

/**
 * Writes each (key, value) as the raw bytes of key then value, with no framing: TeraSort's output
 * format. Goes through FileOutputFormat so Spark's output commit protocol applies as usual.
 */
public final class RawRecordOutputFormat extends FileOutputFormat<byte[], byte[]> {
  @Override
  public RecordWriter<byte[], byte[]> getRecordWriter(TaskAttemptContext context)
      throws IOException {
    Path file = getDefaultWorkFile(context, "");
    FileSystem fs = file.getFileSystem(context.getConfiguration());
    DataOutputStream out = fs.create(file, false);
    return new RecordWriter<>() {
      @Override
      public void write(byte[] key, byte[] value) throws IOException {
        out.write(key);
        out.write(value);
      }

      @Override
      public void close(TaskAttemptContext ignored) throws IOException {
        out.close();
      }
    };
  }
}
