// Sample design shipped with finevh: a 4-bit multiply-accumulate unit with an
// 8-bit saturating accumulator and a 3-bit cycle counter. Small on purpose (a few
// hundred osu018 cells) so that `finevh read` on it runs in a blink.
module sample (
  input  wire       clk,
  input  wire       rst,
  input  wire       en,
  input  wire [3:0] a,
  input  wire [3:0] b,
  output reg  [7:0] acc,
  output wire [2:0] count,
  output wire       sat
);
  reg  [2:0] cnt;
  wire [7:0] prod = a * b;
  wire [8:0] sum  = {1'b0, acc} + {1'b0, prod};
  assign sat   = sum[8];
  assign count = cnt;
  always @(posedge clk) begin
    if (rst) begin
      acc <= 8'd0;
      cnt <= 3'd0;
    end else if (en) begin
      acc <= sum[8] ? 8'hff : sum[7:0];
      cnt <= cnt + 3'd1;
    end
  end
endmodule
