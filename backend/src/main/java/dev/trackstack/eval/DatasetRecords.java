package dev.trackstack.eval;

import java.time.OffsetDateTime;
import java.util.List;

/** What the dataset part of eval.graphqls returns; fields named as the schema names them. */
final class DatasetRecords {

    private DatasetRecords() {
    }

    record Dataset(String id, long key, String project, String name, OffsetDateTime createdAt) {
    }

    record DatasetVersion(String id, long key, long datasetKey, int version, String description,
            OffsetDateTime createdAt, int itemCount, int addedCount, int removedCount) {
    }

    /** id is the content id (hex SHA-256); key the row's. */
    record DatasetItem(String id, long key, Object input, Object expected, Object metadata, String sourceTraceId,
            String sourceSpanId, OffsetDateTime createdAt) {
    }

    record DatasetChange(DatasetVersion version, boolean created, List<String> itemIds) {
    }

    /** An item to add, its JSON already canonical. */
    record NewItem(String id, String input, String expected, String metadata, byte[] sourceTraceId,
            byte[] sourceSpanId) {
    }
}
