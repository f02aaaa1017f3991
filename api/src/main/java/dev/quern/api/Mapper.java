package dev.quern.api;

/**
 * Turns one input record into any number of intermediate records.
 *
 * <p>One instance serves one map task attempt: {@link #setup} runs once, then {@link #map} once per
 * input record, then {@link #cleanup}. Instances are created by the engine through a public no-arg
 * constructor, so a mapper keeps its reusable state in fields.
 *
 * <pre>{@code
 * public class TokenizerMapper implements Mapper<Long, String, String, Long> {
 *   public void map(Long offset, String line, Context<String, Long> ctx) {
 *     StringTokenizer words = new StringTokenizer(line);
 *     while (words.hasMoreTokens()) ctx.emit(words.nextToken(), 1L);
 *   }
 * }
 * }</pre>
 *
 * @param <KI> input key type
 * @param <VI> input value type
 * @param <KO> output key type
 * @param <VO> output value type
 */
public interface Mapper<KI, VI, KO, VO> {

  /** Called once before the first record of the task. */
  default void setup(Context<KO, VO> context) throws Exception {}

  /** Called once per input record. */
  void map(KI key, VI value, Context<KO, VO> context) throws Exception;

  /** Called once after the last record of the task, also to flush state kept across records. */
  default void cleanup(Context<KO, VO> context) throws Exception {}
}
