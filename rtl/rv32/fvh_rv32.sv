// fvh_rv32: a small RV32IM core (finevh's RI5CY-like sample design).
//
// Three pipeline stages:
//   IF  the instruction memory (synchronous read) fetches at imem_addr;
//   EX  decode, register read with forwarding from WB, ALU, single-cycle 32x32
//       multiplier (MUL/MULH/MULHSU/MULHU, as RI5CY), branch/jump resolution
//       (the fetch address is redirected in the same cycle: no bubble), data
//       memory address/write (synchronous memory), 32-cycle iterative divider
//       (stalls EX);
//   WB  load data alignment/extension and register write (forwarded to EX).
// ECALL/EBREAK halt the core (`halted`); an unknown opcode halts it with `trap`.
// No CSRs, interrupts or misaligned-access traps.
module fvh_rv32 #(
    parameter logic [31:0] RESET_PC = 32'h0000_0000
) (
    input  logic        clk,
    input  logic        rst_n,
    output logic [31:0] imem_addr,
    input  logic [31:0] imem_rdata,
    output logic [31:0] dmem_addr,
    output logic        dmem_re,
    output logic        dmem_we,
    output logic [3:0]  dmem_be,
    output logic [31:0] dmem_wdata,
    input  logic [31:0] dmem_rdata,
    output logic        halted,
    output logic        trap
);
  localparam logic [6:0] OP_LUI = 7'b0110111, OP_AUIPC = 7'b0010111, OP_JAL = 7'b1101111,
                         OP_JALR = 7'b1100111, OP_BR = 7'b1100011, OP_LD = 7'b0000011,
                         OP_ST = 7'b0100011, OP_IMM = 7'b0010011, OP_OP = 7'b0110011,
                         OP_FENCE = 7'b0001111, OP_SYS = 7'b1110011;

  // ------------------------------------------------------------ EX stage
  logic        x_valid;
  logic [31:0] pc_x, ins;
  assign ins = imem_rdata;

  logic [6:0] opc;
  logic [4:0] rd, rs1, rs2;
  logic [2:0] f3;
  logic [6:0] f7;
  assign opc = ins[6:0];
  assign rd  = ins[11:7];
  assign f3  = ins[14:12];
  assign rs1 = ins[19:15];
  assign rs2 = ins[24:20];
  assign f7  = ins[31:25];

  logic [31:0] imm_i, imm_s, imm_b, imm_u, imm_j;
  assign imm_i = {{20{ins[31]}}, ins[31:20]};
  assign imm_s = {{20{ins[31]}}, ins[31:25], ins[11:7]};
  assign imm_b = {{19{ins[31]}}, ins[31], ins[7], ins[30:25], ins[11:8], 1'b0};
  assign imm_u = {ins[31:12], 12'd0};
  assign imm_j = {{11{ins[31]}}, ins[31], ins[19:12], ins[20], ins[30:21], 1'b0};

  // register file x1..x31 and WB-stage forwarding
  logic [31:0] rf[1:31];
  logic        w_we;
  logic [4:0]  w_rd;
  logic [31:0] w_data;
  logic [31:0] a, b;
  assign a = (rs1 == 5'd0) ? 32'd0 : (w_we && w_rd == rs1) ? w_data : rf[rs1];
  assign b = (rs2 == 5'd0) ? 32'd0 : (w_we && w_rd == rs2) ? w_data : rf[rs2];

  logic is_lui, is_auipc, is_jal, is_jalr, is_br, is_ld, is_st, is_imm, is_op, is_fence, is_sys;
  assign is_lui   = opc == OP_LUI;
  assign is_auipc = opc == OP_AUIPC;
  assign is_jal   = opc == OP_JAL;
  assign is_jalr  = opc == OP_JALR;
  assign is_br    = opc == OP_BR;
  assign is_ld    = opc == OP_LD;
  assign is_st    = opc == OP_ST;
  assign is_imm   = opc == OP_IMM;
  assign is_op    = opc == OP_OP;
  assign is_fence = opc == OP_FENCE;
  assign is_sys   = opc == OP_SYS;
  logic known, is_mul, is_div;
  assign known  = is_lui | is_auipc | is_jal | is_jalr | is_br | is_ld | is_st | is_imm | is_op
                | is_fence | is_sys;
  assign is_mul = is_op && f7 == 7'b0000001 && !f3[2];
  assign is_div = is_op && f7 == 7'b0000001 && f3[2];

  // ALU (OP and OP-IMM)
  logic [31:0] op2, alu;
  logic [4:0]  shamt;
  logic        alt;  // SUB / SRA(I)
  assign alt   = ins[30];
  assign op2   = is_op ? b : imm_i;
  assign shamt = op2[4:0];
  always_comb begin
    case (f3)
      3'd0: alu = (is_op && alt) ? a - op2 : a + op2;
      3'd1: alu = a << shamt;
      3'd2: alu = {31'd0, $signed(a) < $signed(op2)};
      3'd3: alu = {31'd0, a < op2};
      3'd4: alu = a ^ op2;
      3'd5: alu = alt ? 32'($signed(a) >>> shamt) : a >> shamt;
      3'd6: alu = a | op2;
      default: alu = a & op2;
    endcase
  end

  // single-cycle 33x33 signed multiplier
  logic signed [32:0] ma, mb;
  logic signed [65:0] mp;
  logic [31:0] mul_res;
  assign ma = {(f3 == 3'd1 || f3 == 3'd2) & a[31], a};
  assign mb = {(f3 == 3'd1) & b[31], b};
  assign mp = ma * mb;
  assign mul_res = (f3 == 3'd0) ? mp[31:0] : mp[63:32];
  logic [1:0] unused_mp;
  assign unused_mp = mp[65:64];

  // divider
  logic        div_busy, div_done, div_start, div_stall;
  logic [31:0] div_res;
  assign div_start = x_valid & is_div & ~div_busy & ~div_done;
  assign div_stall = x_valid & is_div & ~div_done;
  fvh_rv32_div u_div (
      .clk(clk), .rst_n(rst_n), .start(div_start), .op(f3[1:0]), .a(a), .b(b),
      .busy(div_busy), .done(div_done), .result(div_res)
  );

  // branches and jumps
  logic        take;
  logic [31:0] target, pc4;
  assign pc4 = pc_x + 32'd4;
  always_comb begin
    case (f3)
      3'd0: take = a == b;
      3'd1: take = a != b;
      3'd4: take = $signed(a) < $signed(b);
      3'd5: take = $signed(a) >= $signed(b);
      3'd6: take = a < b;
      3'd7: take = a >= b;
      default: take = 1'b0;
    endcase
  end
  logic redirect;
  assign redirect = x_valid & (is_jal | is_jalr | (is_br & take));
  assign target   = is_jalr ? ((a + imm_i) & ~32'd1) : pc_x + (is_jal ? imm_j : imm_b);

  // result of the EX stage
  logic [31:0] x_res;
  logic        x_wr;
  always_comb begin
    if (is_lui) x_res = imm_u;
    else if (is_auipc) x_res = pc_x + imm_u;
    else if (is_jal || is_jalr) x_res = pc4;
    else if (is_mul) x_res = mul_res;
    else if (is_div) x_res = div_res;
    else x_res = alu;
  end
  assign x_wr = is_lui | is_auipc | is_jal | is_jalr | is_ld | is_imm | is_op;

  // data memory
  logic [31:0] maddr;
  assign maddr      = a + (is_st ? imm_s : imm_i);
  assign dmem_addr  = {maddr[31:2], 2'b00};
  assign dmem_re    = x_valid & is_ld;
  assign dmem_we    = x_valid & is_st;
  assign dmem_be    = (f3[1:0] == 2'd0) ? (4'b0001 << maddr[1:0])
                    : (f3[1:0] == 2'd1) ? (maddr[1] ? 4'b1100 : 4'b0011) : 4'b1111;
  assign dmem_wdata = (f3[1:0] == 2'd0) ? {4{b[7:0]}} : (f3[1:0] == 2'd1) ? {2{b[15:0]}} : b;

  // halt
  logic stop, stall;
  assign stop  = x_valid & (is_sys | ~known);
  assign stall = div_stall | halted;

  // ------------------------------------------------------------- IF stage
  always_comb begin
    if (!x_valid) imem_addr = RESET_PC;
    else if (stall || stop) imem_addr = pc_x;
    else if (redirect) imem_addr = target;
    else imem_addr = pc4;
  end

  // ------------------------------------------------------------- WB stage
  logic        w_ld;
  logic [2:0]  w_f3;
  logic [1:0]  w_off;
  logic [31:0] w_res;
  logic [31:0] ld_sh, ld_val;
  assign ld_sh  = dmem_rdata >> {w_off, 3'b000};
  assign ld_val = (w_f3[1:0] == 2'd0) ? {{24{~w_f3[2] & ld_sh[7]}}, ld_sh[7:0]}
                : (w_f3[1:0] == 2'd1) ? {{16{~w_f3[2] & ld_sh[15]}}, ld_sh[15:0]} : ld_sh;
  assign w_data = w_ld ? ld_val : w_res;

  always_ff @(posedge clk or negedge rst_n) begin
    if (!rst_n) begin
      x_valid <= 1'b0;
      pc_x    <= RESET_PC;
      halted  <= 1'b0;
      trap    <= 1'b0;
      w_we    <= 1'b0;
      w_rd    <= '0;
      w_ld    <= 1'b0;
      w_f3    <= '0;
      w_off   <= '0;
      w_res   <= '0;
    end else begin
      x_valid <= 1'b1;
      pc_x    <= imem_addr;
      if (stop) begin
        halted <= 1'b1;
        trap   <= trap | ~known;
      end
      w_we  <= x_valid & ~stall & ~stop & x_wr & (rd != 5'd0);
      w_rd  <= rd;
      w_ld  <= is_ld;
      w_f3  <= f3;
      w_off <= maddr[1:0];
      w_res <= x_res;
    end
  end

  always_ff @(posedge clk) begin
    if (w_we) rf[w_rd] <= w_data;
  end
endmodule
