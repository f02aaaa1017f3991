package dev.quern.master.commit;

import java.util.Map;

/**
 * What {@code OUT/_SUCCESS} holds, as JSON. Times are epoch milliseconds.
 *
 * <pre>{@code
 * {"jobId":"job-0001","name":"wordcount","user":"ann","submitTime":..,"startTime":..,
 *  "endTime":..,"counters":{"quern":{"MAP_INPUT_RECORDS":1000,...}}}
 * }</pre>
 */
public record SuccessFile(String jobId, String name, String user, long submitTime,
    long startTime, long endTime, Map<String, Map<String, Long>> counters) {}
