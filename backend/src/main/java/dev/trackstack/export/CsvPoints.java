package dev.trackstack.export;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;

/** Points as CSV with a header line; each row ends with CRLF, as RFC 4180 has it. */
final class CsvPoints implements PointWriter {

    private final Writer out;
    private String prefix;

    CsvPoints(OutputStream stream) throws IOException {
        this.out = new BufferedWriter(new OutputStreamWriter(stream, StandardCharsets.UTF_8), 1 << 16);
        out.write("run_id,run_name,name,split,step,time,value\r\n");
    }

    @Override
    public void series(long runId, String runName, String name, String split) {
        prefix = runId + "," + Csv.field(runName) + "," + Csv.field(name) + "," + Csv.field(split) + ",";
    }

    @Override
    public void point(long step, long micros, double value) throws IOException {
        out.write(prefix);
        out.write(Long.toString(step));
        out.write(',');
        out.write(Times.format(micros));
        out.write(',');
        out.write(Csv.number(value));
        out.write("\r\n");
    }

    @Override
    public void finish() throws IOException {
        out.flush();
    }
}
