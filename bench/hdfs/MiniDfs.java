import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hdfs.MiniDFSCluster;

/**
 * Starts an HDFS (a NameNode and DATANODES DataNodes in this process) with its data under DIR,
 * copies any FILE arguments into {@code /in/}, prints its URI on a line of its own, and serves
 * until stdin closes or the process is killed: {@code MiniDfs DIR [DATANODES [PORT [FILE...]]]}.
 */
public class MiniDfs {
  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]).toAbsolutePath();
    int dataNodes = args.length > 1 ? Integer.parseInt(args[1]) : 1;
    int port = args.length > 2 ? Integer.parseInt(args[2]) : 0;
    Configuration conf = new Configuration();
    conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, dir.toString());
    MiniDFSCluster cluster = new MiniDFSCluster.Builder(conf).numDataNodes(dataNodes)
        .nameNodePort(port).build();
    cluster.waitActive();
    for (int i = 3; i < args.length; i++) {
      cluster.getFileSystem().copyFromLocalFile(new org.apache.hadoop.fs.Path(
          Path.of(args[i]).toAbsolutePath().toUri()), new org.apache.hadoop.fs.Path("/in/"));
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> cluster.shutdown(true)));
    System.out.println("hdfs://127.0.0.1:" + cluster.getNameNodePort());
    System.out.flush();
    while (System.in.read() >= 0) {
      // Serve until stdin closes (Ctrl-D) or a signal ends the process.
    }
    System.exit(0);
  }
}
