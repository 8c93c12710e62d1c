package dev.trackstack.importer.tensorboard;

import java.util.ArrayList;
import java.util.List;

import com.google.protobuf.ByteString;

import dev.trackstack.importer.tensorboard.proto.DataType;
import dev.trackstack.importer.tensorboard.proto.TensorProto;

/** What v2 summaries hold in their tensor: one number (scalars) or strings (text). */
final class TensorValues {

    private TensorValues() {
    }

    /**
     * The tensor's value when it holds exactly one number, whatever its shape, either in tensor_content (little-endian,
     * as TensorFlow writes it) or in the value field of its dtype; else null.
     */
    static Double number(TensorProto tensor) {
        DataType dtype = tensor.getDtype();
        ByteString content = tensor.getTensorContent();
        if (!content.isEmpty()) {
            return content.size() == width(dtype) ? fromBits(dtype, littleEndian(content)) : null;
        }
        int count = switch (dtype) {
            case DT_FLOAT -> tensor.getFloatValCount();
            case DT_DOUBLE -> tensor.getDoubleValCount();
            case DT_HALF, DT_BFLOAT16 -> tensor.getHalfValCount();
            case DT_INT8, DT_UINT8, DT_INT16, DT_UINT16, DT_INT32 -> tensor.getIntValCount();
            case DT_UINT32 -> tensor.getUint32ValCount();
            case DT_INT64 -> tensor.getInt64ValCount();
            case DT_UINT64 -> tensor.getUint64ValCount();
            default -> 0;
        };
        if (count != 1) {
            return null;
        }
        double value = switch (dtype) {
            case DT_FLOAT -> tensor.getFloatVal(0);
            case DT_DOUBLE -> tensor.getDoubleVal(0);
            case DT_HALF, DT_BFLOAT16 -> fromBits(dtype, tensor.getHalfVal(0) & 0xffff);
            case DT_UINT32 -> Integer.toUnsignedLong(tensor.getUint32Val(0));
            case DT_INT64 -> tensor.getInt64Val(0);
            case DT_UINT64 -> unsigned(tensor.getUint64Val(0));
            default -> tensor.getIntVal(0);
        };
        return value;
    }

    /** The strings of a DT_STRING tensor (UTF-8), in order: one for a text summary, more for a table. */
    static List<String> strings(TensorProto tensor) {
        List<String> strings = new ArrayList<>(tensor.getStringValCount());
        for (ByteString value : tensor.getStringValList()) {
            strings.add(value.toStringUtf8());
        }
        return strings;
    }

    /** Bytes per number of a numeric dtype; 0 for others. */
    private static int width(DataType dtype) {
        return switch (dtype) {
            case DT_INT8, DT_UINT8 -> 1;
            case DT_HALF, DT_BFLOAT16, DT_INT16, DT_UINT16 -> 2;
            case DT_FLOAT, DT_INT32, DT_UINT32 -> 4;
            case DT_DOUBLE, DT_INT64, DT_UINT64 -> 8;
            default -> 0;
        };
    }

    /** A number of a numeric dtype from its {@link #width} bytes, unsigned. */
    private static double fromBits(DataType dtype, long bits) {
        return switch (dtype) {
            case DT_FLOAT -> Float.intBitsToFloat((int) bits);
            case DT_DOUBLE -> Double.longBitsToDouble(bits);
            case DT_HALF -> half(bits);
            case DT_BFLOAT16 -> Float.intBitsToFloat((int) bits << 16);
            case DT_INT8 -> (byte) bits;
            case DT_INT16 -> (short) bits;
            case DT_INT32 -> (int) bits;
            case DT_UINT64 -> unsigned(bits);
            default -> bits; // int64, and the unsigned dtypes narrower than 64 bits
        };
    }

    /** Up to 8 bytes, little-endian, unsigned. */
    private static long littleEndian(ByteString bytes) {
        long value = 0;
        for (int i = bytes.size() - 1; i >= 0; i--) {
            value = value << 8 | bytes.byteAt(i) & 0xff;
        }
        return value;
    }

    private static double unsigned(long value) {
        return value >= 0 ? value : ((value >>> 1) | (value & 1)) * 2.0;
    }

    /** An IEEE 754 half-precision number (the low 16 bits) as a float. */
    private static float half(long bits) {
        int sign = (int) (bits & 0x8000) << 16;
        int exponent = (int) (bits >>> 10) & 0x1f;
        int mantissa = (int) bits & 0x3ff;
        if (exponent == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | mantissa << 13);
        }
        if (exponent == 0) {
            float subnormal = mantissa * 0x1p-24f;
            return sign == 0 ? subnormal : -subnormal;
        }
        return Float.intBitsToFloat(sign | (exponent + 112) << 23 | mantissa << 13);
    }
}
