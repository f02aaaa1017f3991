package dev.quern.examples.grep;

import dev.quern.api.Configuration;
import dev.quern.api.Context;
import dev.quern.api.Mapper;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Emits {@code (match, 1)} for every match of the job's regular expression in a line, found one
 * after another with {@link Matcher#find()}. Reads {@value Grep#REGEX} (a Java regex) and
 * {@value Grep#GROUP} (which group to emit, default 0: the whole match).
 */
public class RegexMapper implements Mapper<Long, String, String, Long> {
  private static final Long ONE = 1L;
  private Pattern pattern;
  private int group;

  @Override
  public void setup(Context<String, Long> context) {
    Configuration conf = context.configuration();
    pattern = Pattern.compile(conf.require(Grep.REGEX));
    group = conf.getInt(Grep.GROUP, 0);
  }

  @Override
  public void map(Long offset, String line, Context<String, Long> context) {
    Matcher m = pattern.matcher(line);
    while (m.find()) {
      String match = m.group(group);
      if (match != null) {
        context.emit(match, ONE);
      }
    }
  }
}
