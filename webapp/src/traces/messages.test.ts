import { describe, expect, it } from "vitest";
import { conversation, indexed, type Message } from "./messages";

/** role: the text of each part, tool calls as name(arguments)#id, results as ->response#id. */
const shown = (messages: Message[]) => messages.map((m) => `${m.output ? "out " : ""}${m.role}: ${m.parts.map((p) =>
  p.type === "text" ? p.text : p.type === "tool_call" ? `${p.name}(${p.arguments ?? ""})#${p.id}` : `->${p.response}#${p.id}`).join(" | ")}`);

describe("conversation of an LLM span", () => {
  it("should read the current GenAI conventions: system instructions, input and output messages with their parts", () => {
    const messages = conversation({
      "gen_ai.system_instructions": JSON.stringify([{ type: "text", content: "Be brief." }]),
      "gen_ai.input.messages": JSON.stringify([
        { role: "user", parts: [{ type: "text", content: "Weather in Paris?" }] },
        { role: "assistant", parts: [{ type: "tool_call", id: "c1", name: "weather", arguments: { city: "Paris" } }] },
        { role: "tool", parts: [{ type: "tool_call_response", id: "c1", response: "rainy, 12°C" }] },
      ]),
      "gen_ai.output.messages": JSON.stringify([{ role: "assistant", parts: [{ type: "text", content: "Rainy, 12°C." }], finish_reason: "stop" }]),
    });
    expect(shown(messages)).toEqual([
      "system: Be brief.",
      "user: Weather in Paris?",
      'assistant: weather({"city":"Paris"})#c1',
      "tool: ->rainy, 12°C#c1",
      "out assistant: Rainy, 12°C.",
    ]);
    expect(messages[4].finishReason).toBe("stop");
  });

  it("should take the messages sent as structured values instead of JSON text", () => {
    const messages = conversation({ "gen_ai.input.messages": [{ role: "user", parts: [{ type: "text", content: "hi" }] }] });
    expect(shown(messages)).toEqual(["user: hi"]);
  });

  it("should read the older gen_ai.prompt.N and gen_ai.completion.N attributes with tool calls, in index order", () => {
    const messages = conversation({
      "gen_ai.prompt.10.role": "user", "gen_ai.prompt.10.content": "and then?",
      "gen_ai.prompt.0.role": "system", "gen_ai.prompt.0.content": "You are a bot.",
      "gen_ai.prompt.1.role": "tool", "gen_ai.prompt.1.content": "42", "gen_ai.prompt.1.tool_call_id": "t9",
      "gen_ai.completion.0.role": "assistant", "gen_ai.completion.0.finish_reason": "tool_calls",
      "gen_ai.completion.0.tool_calls.0.id": "t10", "gen_ai.completion.0.tool_calls.0.name": "search",
      "gen_ai.completion.0.tool_calls.0.arguments": '{"q":"x"}',
    });
    expect(shown(messages)).toEqual(["system: You are a bot.", "tool: ->42#t9", "user: and then?", 'out assistant: search({"q":"x"})#t10']);
    expect(messages[3].finishReason).toBe("tool_calls");
  });

  it("should read OpenInference's llm.input_messages and llm.output_messages with contents and tool calls", () => {
    const messages = conversation({
      "llm.input_messages.0.message.role": "system", "llm.input_messages.0.message.content": "Helpful.",
      "llm.input_messages.1.message.role": "user",
      "llm.input_messages.1.message.contents.0.message_content.type": "text",
      "llm.input_messages.1.message.contents.0.message_content.text": "Find it",
      "llm.input_messages.2.message.role": "tool", "llm.input_messages.2.message.content": "found",
      "llm.input_messages.2.message.tool_call_id": "x1",
      "llm.output_messages.0.message.role": "assistant",
      "llm.output_messages.0.message.tool_calls.0.tool_call.id": "x2",
      "llm.output_messages.0.message.tool_calls.0.tool_call.function.name": "lookup",
      "llm.output_messages.0.message.tool_calls.0.tool_call.function.arguments": '{"id":3}',
    });
    expect(shown(messages)).toEqual(["system: Helpful.", "user: Find it", "tool: ->found#x1", 'out assistant: lookup({"id":3})#x2']);
  });

  it("should read the gen_ai.*.message and gen_ai.choice span events", () => {
    const event = (name: string, attributes: Record<string, unknown>) => ({ timeUnixNano: "1", name, attributes });
    const messages = conversation({ "gen_ai.request.model": "gpt-4o" }, [
      event("gen_ai.system.message", { content: "Terse." }),
      event("gen_ai.user.message", { content: "Add 2 and 3" }),
      event("gen_ai.assistant.message", { tool_calls: JSON.stringify([{ id: "a", type: "function", function: { name: "add", arguments: "[2,3]" } }]) }),
      event("gen_ai.tool.message", { content: "5", id: "a" }),
      event("exception", { "exception.message": "ignored" }),
      event("gen_ai.choice", { index: 0, finish_reason: "stop", message: JSON.stringify({ role: "assistant", content: "5" }) }),
    ]);
    expect(shown(messages)).toEqual(["system: Terse.", "user: Add 2 and 3", "assistant: add([2,3])#a", "tool: ->5#a", "out assistant: 5"]);
    expect(messages[4].finishReason).toBe("stop");
  });

  it("should take the first convention that has messages, and find none on other spans", () => {
    const both = conversation({ "gen_ai.input.messages": '[{"role":"user","parts":[{"type":"text","content":"new"}]}]', "gen_ai.prompt.0.content": "old" });
    expect(shown(both)).toEqual(["user: new"]);
    expect(conversation({ "http.method": "GET" }, [{ timeUnixNano: "1", name: "exception" }])).toEqual([]);
  });

  it("should show text that is not JSON as it is", () => {
    expect(shown(conversation({ "gen_ai.system_instructions": "Plain instructions." }))).toEqual(["system: Plain instructions."]);
  });
});

describe("indexed attributes", () => {
  it("should group keys by their index under a prefix and skip keys without one", () => {
    expect(indexed({ "p.1.a": 1, "p.0.a": 2, "p.0.b.c": 3, "p.x.a": 4, "p.2": 5, "q.0.a": 6 }, "p")).toEqual([{ a: 2, "b.c": 3 }, { a: 1 }]);
  });
});
