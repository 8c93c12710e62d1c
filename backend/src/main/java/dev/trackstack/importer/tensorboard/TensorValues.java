package dev.trackstack.importer.tensorboard;

import java.util.ArrayList;
import java.util.List;

import com.google.protobuf.ByteString;

import dev.trackstack.importer.tensorboard.proto.DataType;
import dev.trackstack.importer.tensorboard.proto.TensorProto;

/** What v2 summaries hold in their tensor: numbers (scalars, histograms) or strings (text, images). */
final class TensorValues {

    private TensorValues() {
    }

    /** The tensor's value when it holds exactly one number, whatever its shape; else null. */
    static Double number(TensorProto tensor) {
        double[] numbers = numbers(tensor);
        return numbers != null && numbers.length == 1 ? numbers[0] : null;
    }

    /**
     * The numbers of a numeric tensor, in order, whatever its shape, either from tensor_content (little-endian, as
     * TensorFlow writes it) or from the value field of its dtype; null for a tensor of another dtype.
     */
    static double[] numbers(TensorProto tensor) {
        DataType dtype = tensor.getDtype();
        int width = width(dtype);
        if (width == 0) {
            return null;
        }
        ByteString content = tensor.getTensorContent();
        if (!content.isEmpty()) {
            if (content.size() % width != 0) {
                return null;
            }
            double[] numbers = new double[content.size() / width];
            for (int i = 0; i < numbers.length; i++) {
                numbers[i] = fromBits(dtype, littleEndian(content.substring(i * width, (i + 1) * width)));
            }
            return numbers;
        }
        return switch (dtype) {
            case DT_FLOAT -> {
                double[] numbers = new double[tensor.getFloatValCount()];
                for (int i = 0; i < numbers.length; i++) {
                    numbers[i] = tensor.getFloatVal(i);
                }
                yield numbers;
            }
            case DT_DOUBLE -> tensor.getDoubleValList().stream().mapToDouble(Double::doubleValue).toArray();
            case DT_HALF, DT_BFLOAT16 -> tensor.getHalfValList().stream()
                    .mapToDouble(bits -> fromBits(dtype, bits & 0xffff)).toArray();
            case DT_UINT32 -> tensor.getUint32ValList().stream().mapToDouble(Integer::toUnsignedLong).toArray();
            case DT_INT64 -> tensor.getInt64ValList().stream().mapToDouble(Long::doubleValue).toArray();
            case DT_UINT64 -> tensor.getUint64ValList().stream().mapToDouble(TensorValues::unsigned).toArray();
            default -> tensor.getIntValList().stream().mapToDouble(Integer::doubleValue).toArray();
        };
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
