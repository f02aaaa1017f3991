import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.util.Arrays;
import java.util.Comparator;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The few HDFS commands the benchmark needs, through Hadoop's own client: {@code put LOCAL URI}
 * (copies a local file), {@code cat-parts URI} (the part files of a job's output, in name order,
 * to stdout), {@code rm URI} (recursively).
 */
public class HdfsTool {
  public static void main(String[] args) throws Exception {
    URI uri = URI.create(args[1].startsWith("hdfs:") ? args[1] : args[2]);
    Configuration conf = new Configuration();
    conf.set("dfs.replication", "1"); // the benchmark's HDFS has one DataNode
    try (FileSystem fs = FileSystem.newInstance(uri, conf)) {
      switch (args[0]) {
        case "put" -> fs.copyFromLocalFile(new Path(java.nio.file.Path.of(args[1])
            .toAbsolutePath().toUri()), new Path(args[2]));
        case "cat-parts" -> {
          FileStatus[] parts = fs.listStatus(new Path(args[1]),
              p -> p.getName().startsWith("part-"));
          Arrays.sort(parts, Comparator.comparing(s -> s.getPath().getName()));
          OutputStream out = System.out;
          for (FileStatus s : parts) {
            try (InputStream in = fs.open(s.getPath())) {
              in.transferTo(out);
            }
          }
          out.flush();
        }
        case "rm" -> fs.delete(new Path(args[1]), true);
        default -> throw new IllegalArgumentException("unknown command " + args[0]);
      }
    }
  }
}
