// Integrated clock-gating cell model: a latch transparent while clk is low holds
// the enable through the high phase, and an AND gate passes the clock. Written
// as plain logic so that synthesis maps it onto a library latch and an AND gate
// (or onto a library clock-gating cell by a later swap).
module fvh_icg (
    input  logic clk,
    input  logic en,
    output logic gclk
);
  logic en_l;
  always_latch begin
    if (!clk) en_l = en;
  end
  assign gclk = clk & en_l;
endmodule
