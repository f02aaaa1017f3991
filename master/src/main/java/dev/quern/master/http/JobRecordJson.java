package dev.quern.master.http;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.quern.master.http.json.AttemptDoc;
import dev.quern.master.http.json.JobDoc;
import dev.quern.master.http.json.JobRecord;
import dev.quern.master.http.json.ProgressDoc;
import dev.quern.master.http.json.TaskDoc;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * A {@link JobRecord} as JSON, the same document {@link Json#MAPPER} writes (the same names and
 * values; nulls written as null), through Jackson's streaming writer. A local run with the UI
 * saves its jobs to history as it exits, whether or not anyone looked: binding the five record
 * types to serializers (reflection over their components) was most of that save's CPU, some
 * 0.1 s of a small job's, for one document. Readers still bind it with {@link Json#MAPPER}.
 */
final class JobRecordJson {
  private JobRecordJson() {}

  static byte[] write(JobRecord r) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream(4096);
    try (JsonGenerator g = Json.MAPPER.getFactory().createGenerator(out)) {
      g.writeStartObject();
      g.writeNumberField("version", r.version());
      g.writeFieldName("job");
      job(g, r.job());
      g.writeArrayFieldStart("tasks");
      for (TaskDoc t : r.tasks()) {
        task(g, t);
      }
      g.writeEndArray();
      g.writeEndObject();
    }
    return out.toByteArray();
  }

  private static void job(JsonGenerator g, JobDoc j) throws IOException {
    if (j == null) {
      g.writeNull();
      return;
    }
    g.writeStartObject();
    string(g, "id", j.id());
    string(g, "name", j.name());
    string(g, "user", j.user());
    string(g, "state", j.state());
    number(g, "submitTime", j.submitTime());
    number(g, "startTime", j.startTime());
    number(g, "endTime", j.endTime());
    number(g, "durationMillis", j.durationMillis());
    strings(g, "inputs", j.inputs());
    string(g, "output", j.output());
    progress(g, "map", j.map());
    progress(g, "reduce", j.reduce());
    g.writeFieldName("counters");
    if (j.counters() == null) {
      g.writeNull();
    } else {
      g.writeStartObject();
      for (Map.Entry<String, Map<String, Long>> group : j.counters().entrySet()) {
        g.writeFieldName(group.getKey());
        g.writeStartObject();
        for (Map.Entry<String, Long> c : group.getValue().entrySet()) {
          number(g, c.getKey(), c.getValue());
        }
        g.writeEndObject();
      }
      g.writeEndObject();
    }
    g.writeFieldName("configuration");
    if (j.configuration() == null) {
      g.writeNull();
    } else {
      g.writeStartObject();
      for (Map.Entry<String, String> e : j.configuration().entrySet()) {
        string(g, e.getKey(), e.getValue());
      }
      g.writeEndObject();
    }
    string(g, "failure", j.failure());
    string(g, "progressNote", j.progressNote());
    g.writeEndObject();
  }

  private static void progress(JsonGenerator g, String name, ProgressDoc p) throws IOException {
    g.writeFieldName(name);
    if (p == null) {
      g.writeNull();
      return;
    }
    g.writeStartObject();
    g.writeNumberField("tasks", p.tasks());
    g.writeNumberField("done", p.done());
    g.writeNumberField("running", p.running());
    g.writeNumberField("failedAttempts", p.failedAttempts());
    g.writeNumberField("fraction", p.fraction());
    g.writeEndObject();
  }

  private static void task(JsonGenerator g, TaskDoc t) throws IOException {
    g.writeStartObject();
    string(g, "id", t.id());
    string(g, "kind", t.kind());
    g.writeNumberField("index", t.index());
    string(g, "state", t.state());
    string(g, "input", t.input());
    g.writeArrayFieldStart("attempts");
    for (AttemptDoc a : t.attempts()) {
      attempt(g, a);
    }
    g.writeEndArray();
    g.writeEndObject();
  }

  private static void attempt(JsonGenerator g, AttemptDoc a) throws IOException {
    g.writeStartObject();
    string(g, "id", a.id());
    g.writeNumberField("attempt", a.attempt());
    string(g, "worker", a.worker());
    number(g, "startTime", a.startTime());
    number(g, "endTime", a.endTime());
    string(g, "state", a.state());
    g.writeNumberField("progress", a.progress());
    number(g, "inputRecords", a.inputRecords());
    number(g, "inputBytes", a.inputBytes());
    number(g, "outputRecords", a.outputRecords());
    number(g, "outputBytes", a.outputBytes());
    string(g, "error", a.error());
    g.writeEndObject();
  }

  private static void strings(JsonGenerator g, String name, List<String> values)
      throws IOException {
    g.writeFieldName(name);
    if (values == null) {
      g.writeNull();
      return;
    }
    g.writeStartArray();
    for (String v : values) {
      g.writeString(v);
    }
    g.writeEndArray();
  }

  private static void string(JsonGenerator g, String name, String value) throws IOException {
    g.writeFieldName(name);
    if (value == null) {
      g.writeNull();
    } else {
      g.writeString(value);
    }
  }

  private static void number(JsonGenerator g, String name, Long value) throws IOException {
    g.writeFieldName(name);
    if (value == null) {
      g.writeNull();
    } else {
      g.writeNumber(value);
    }
  }
}
