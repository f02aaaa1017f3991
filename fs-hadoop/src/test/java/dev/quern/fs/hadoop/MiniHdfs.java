package dev.quern.fs.hadoop;

import java.io.IOException;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hdfs.MiniDFSCluster;

/**
 * A real HDFS (NameNode and DataNodes in this JVM) with its data under {@code target/minidfs/},
 * for one test class. Blocks may be as small as 1 KiB, so small test files span several blocks.
 */
final class MiniHdfs implements AutoCloseable {
  final MiniDFSCluster cluster;
  final String uri;

  MiniHdfs(String name, int dataNodes) throws IOException {
    Configuration conf = new Configuration();
    conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR,
        Path.of("target", "minidfs", name).toAbsolutePath().toString());
    conf.setLong("dfs.namenode.fs-limits.min-block-size", 1024);
    cluster = new MiniDFSCluster.Builder(conf).numDataNodes(dataNodes).build();
    cluster.waitActive();
    uri = "hdfs://127.0.0.1:" + cluster.getNameNodePort();
  }

  @Override
  public void close() {
    cluster.shutdown(true);
  }
}
