package dev.trackstack.export;

import static org.apache.parquet.schema.LogicalTypeAnnotation.stringType;
import static org.apache.parquet.schema.LogicalTypeAnnotation.timestampType;
import static org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName.BINARY;
import static org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName.DOUBLE;
import static org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName.INT64;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Map;

import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.column.ParquetProperties;
import org.apache.parquet.conf.ParquetConfiguration;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.api.WriteSupport;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.OutputFile;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.RecordConsumer;
import org.apache.parquet.schema.LogicalTypeAnnotation.TimeUnit;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.Types;

/**
 * Points as Parquet, written with parquet-java without Hadoop: a plain configuration, the JDK's gzip for pages
 * ({@link GzipCodecs}), and row groups of {@link #ROW_GROUP_BYTES} written out as they fill, so memory holds one row
 * group at most whatever the number of points.
 */
final class ParquetPoints implements PointWriter {

    static final MessageType SCHEMA = Types.buildMessage()
            .required(INT64).named("run_id")
            .optional(BINARY).as(stringType()).named("run_name")
            .required(BINARY).as(stringType()).named("name")
            .optional(BINARY).as(stringType()).named("split")
            .required(INT64).named("step")
            .required(INT64).as(timestampType(true, TimeUnit.MICROS)).named("time")
            .required(DOUBLE).named("value")
            .named("point");

    static final long ROW_GROUP_BYTES = 16L << 20;

    private final ParquetWriter<Row> writer;
    private final Row row = new Row();

    ParquetPoints(OutputStream stream) throws IOException {
        writer = new Builder(new StreamOutputFile(stream))
                .withConf(new PlainParquetConfiguration())
                .withCodecFactory(new GzipCodecs())
                .withCompressionCodec(CompressionCodecName.GZIP)
                .withWriterVersion(ParquetProperties.WriterVersion.PARQUET_2_0)
                .withRowGroupSize(ROW_GROUP_BYTES)
                .build();
    }

    @Override
    public void series(long runId, String runName, String name, String split) {
        row.runId = runId;
        row.runName = runName == null ? null : Binary.fromString(runName);
        row.name = Binary.fromString(name);
        row.split = split == null ? null : Binary.fromString(split);
    }

    @Override
    public void point(long step, long micros, double value) throws IOException {
        row.step = step;
        row.micros = micros;
        row.value = value;
        writer.write(row);
    }

    @Override
    public void finish() throws IOException {
        writer.close();
    }

    /** One point, reused for every row. */
    static final class Row {
        long runId;
        Binary runName;
        Binary name;
        Binary split;
        long step;
        long micros;
        double value;
    }

    private static final class Builder extends ParquetWriter.Builder<Row, Builder> {

        Builder(OutputFile file) {
            super(file);
        }

        @Override
        protected Builder self() {
            return this;
        }

        @Override
        protected WriteSupport<Row> getWriteSupport(ParquetConfiguration conf) {
            return new RowWriteSupport();
        }

        /** Never called (a ParquetConfiguration is set), but abstract. */
        @Override
        protected WriteSupport<Row> getWriteSupport(Configuration conf) {
            return new RowWriteSupport();
        }
    }

    private static final class RowWriteSupport extends WriteSupport<Row> {

        private RecordConsumer out;

        @Override
        public WriteContext init(ParquetConfiguration configuration) {
            return new WriteContext(SCHEMA, Map.of());
        }

        /** Never called (see Builder), but abstract. */
        @Override
        public WriteContext init(Configuration configuration) {
            return new WriteContext(SCHEMA, Map.of());
        }

        @Override
        public void prepareForWrite(RecordConsumer recordConsumer) {
            out = recordConsumer;
        }

        @Override
        public void write(Row row) {
            out.startMessage();
            addLong(0, "run_id", row.runId);
            addBinary(1, "run_name", row.runName);
            addBinary(2, "name", row.name);
            addBinary(3, "split", row.split);
            addLong(4, "step", row.step);
            addLong(5, "time", row.micros);
            out.startField("value", 6);
            out.addDouble(row.value);
            out.endField("value", 6);
            out.endMessage();
        }

        private void addLong(int index, String name, long value) {
            out.startField(name, index);
            out.addLong(value);
            out.endField(name, index);
        }

        /** A null value is an optional field left out. */
        private void addBinary(int index, String name, Binary value) {
            if (value != null) {
                out.startField(name, index);
                out.addBinary(value);
                out.endField(name, index);
            }
        }
    }
}
