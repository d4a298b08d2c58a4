#!/usr/bin/perl
# Compares `scpatch decode` with `objdump -d -z -w --insn-width=16` on the
# same file: instruction boundaries (address, length), branch and
# RIP-relative targets, and the kind (call, jmp, jcc, ret, indirect call and
# jmp, nop, trap) that objdump's mnemonic implies.
#
#   objdump-compare.pl SECADDR OURS OBJDUMP [LO HI]
#
# SECADDR: "name address" per section (readelf -SW); OURS: scpatch decode
# output; OBJDUMP: objdump output; LO/HI: compare only [LO, HI) (hex).
# Prints one summary line:
#   agree=N objdump=N fwait=N symbol=N bad=N rex=N lenient=N eip=N
#   branch16=N unexplained=N
# and the first unexplained disagreements.  Two differences are understood
# and counted apart, never ignored:
#   fwait  - objdump prints FWAIT (9B) and the x87 instruction after it as
#            one (fstcw = 9B D9 /7); the SDM: they are two instructions, and
#            we decode them as two.  Counted when the split matches exactly.
#   symbol - objdump restarts decoding at every symbol; a linear decoder runs
#            through the data or odd padding before a symbol into it.  Counted
#            when one of our instructions spans a symbol start in that region.
#   bad    - a region that starts with bytes both call "not an instruction"
#            (objdump "(bad)", we "invalid" at the same address); objdump's
#            (bad) length is arbitrary, ours is 1 byte by contract.
#   rex    - REX prefixes followed by another REX or a legacy prefix: the
#            SDM says a REX not right before the opcode is ignored, so the
#            whole is one instruction (we decode one, as Zydis does); objdump
#            prints such prefixes on lines of their own.
#   lenient - objdump says (bad) where we decode an instruction whose
#            encoding is one we accept on purpose (docs/decoder.md): VEX,
#            EVEX and XOP maps decoded by map rules, APX REX2 and EVEX bits
#            that binutils 2.40 does not know, x87 aliases that processors
#            execute, the holes of 0F 01/AE/C7, MPX 0F 1A/1B and mov
#            cr/dr.  Counted when objdump's (bad) starts, after legacy
#            prefixes, with 62, C4, C5, 8F, D5, D8-DF or one of those 0F xx.
#   eip    - a RIP-relative operand under 67h: the SDM zero-extends the
#            32-bit effective address, objdump prints it sign-extended.
#   branch16 - 66h on call/jmp/jcc rel32: Intel (and we) keep rel32 in
#            64-bit mode, objdump reads AMD's rel16.
# "bad" also covers objdump's other ways of saying so: a prefix printed
# with "(bad)", a lone REX, "%?" for a segment register that does not
# exist, and mov to %cs, which objdump prints but the SDM makes #UD.
use strict;
use warnings;
no warnings "portable";	# 64-bit hex addresses and targets

my ($secfile, $oursfile, $theirfile, $lo, $hi) = @ARGV;
$lo = defined $lo ? hex($lo) : 0;
$hi = defined $hi ? hex($hi) : ~0;

my %secaddr;
open(my $s, '<', $secfile) or die "$secfile: $!";
while (<$s>) { my ($n, $a) = split; $secaddr{$n} = hex($a); }

# Per section: list of [addr, len, target, text].
my (%ours, %theirs, %symbols);
open(my $o, '<', $oursfile) or die "$oursfile: $!";
while (<$o>) {
	my @f = split;
	my ($sec, $off) = $f[0] =~ /^(.*)\+0x([0-9a-f]+)$/ or next;
	my $addr = $secaddr{$sec} + hex($off);
	next if $addr < $lo || $addr >= $hi;
	my $t = @f >= 4 ? hex($f[3]) : -1;
	push @{$ours{$sec}}, [$addr, $f[1], $t, $f[2]];
}
my ($sec, $fwait) = ('', 0);
open(my $t, '<', $theirfile) or die "$theirfile: $!";
while (<$t>) {
	if (/^Disassembly of section (.*):$/) { $sec = $1; next; }
	if (/^([0-9a-f]+) <.*>:$/) { $symbols{$sec}{hex($1)} = 1; next; }
	next unless /^ *([0-9a-f]+):\t([^\t]*)\t?(.*)$/;
	my ($addr, $ins) = (hex($1), $3);
	next if $addr < $lo || $addr >= $hi;
	my @b = split(' ', $2);
	my $tg = -1;
	if ($ins =~ /%[re]ip/ && $ins =~ /# (?:0x)?([0-9a-f]+)/) {
		$tg = hex($1);
	} elsif ($ins =~ /\b(?:j[a-z]+|call|loop[a-z]*|xbegin)(?:,p[nt])?\s+([0-9a-f]+)(?: <.*>)?$/) {
		$tg = hex($1);
	}
	if ($b[0] eq '9b' && @b > 1 && $ins =~ /(^|\s)f[a-z]/) {
		push @{$theirs{$sec}}, [$addr, 1, -1, 'fwait', 1, ['9b']];
		push @{$theirs{$sec}}, [$addr + 1, @b - 1, $tg, $ins, 1,
					[@b[1 .. $#b]]];
		next;
	}
	push @{$theirs{$sec}}, [$addr, scalar(@b), $tg, $ins, 0, [@b]];
}

# The kind objdump's mnemonic implies, in `scpatch decode` names.
my $prefix_words = qr/^(?:bnd|notrack|data16|addr32|[c-gs]s|rex(?:\.[WRXB]+)?|lock|rep[a-z]*|xacquire|xrelease)$/;
sub objdump_kind {
	my ($ins) = @_;
	my @w = split(' ', $ins);
	shift @w while @w && $w[0] =~ $prefix_words;
	return 'invalid' unless @w;		# a prefix on its own
	my ($m, $ops) = ($w[0], $w[1] // '');
	$m =~ s/,p[nt]$//;			# branch hints
	return 'invalid' if $ins =~ /\(bad\)|%\?/;
	return 'invalid' if $m =~ /^mov/ && $ops =~ /,%cs$/;	# #UD (SDM)
	return 'invalid' if $m =~ /^frstpm/;	# 287 only: reserved (SDM)
	return $ops =~ /^\*/ ? 'call-indirect' : 'call' if $m =~ /^call[wlq]?$/;
	return 'call-indirect' if $m =~ /^lcall[wlq]?$/;
	return $ops =~ /^\*/ ? 'jmp-indirect' : 'jmp' if $m =~ /^jmp[wlq]?$/;
	return 'jmp-indirect' if $m =~ /^ljmp[wlq]?$/;
	return 'jcc' if $m =~ /^(j[a-z]+|loop[a-z]*|xbegin[wlq]?)$/;
	return 'ret' if $m =~ /^(ret[wlq]?|lret[wlq]?|iret[wdq]?)$/;
	return 'nop' if $m =~ /^nop[wl]?$/ || ($m eq 'xchg' && $ops eq '%ax,%ax');
	return 'trap' if $m =~ /^(int3|ud2|ud1[a-z]*|ud0[a-z]*|hlt|icebp|int1)$/;
	return 'other';
}

# The bytes of an objdump line without its legacy prefixes and REX.
sub opcode_bytes {
	my @b = @{$_[0]};
	shift @b while @b && $b[0] =~ /^(26|2e|36|3e|64|65|66|67|f0|f2|f3|4[0-9a-f])$/;
	return @b;
}

# The kind of an objdump line by our rules (docs/decoder.md), where they
# name things differently: fwait that objdump prints as the REX after it;
# the hint space 0F 18-1E, "nop" to objdump and "other" to us; VEX/EVEX
# after REX, 66h, F2h, F3h or LOCK, which objdump decodes and the SDM
# makes #UD.
sub their_kind {
	my ($t) = @_;
	my @b = @{$t->[5]};
	my @op = opcode_bytes($t->[5]);

	return 'other' if "@b" eq '9b';
	return 'other' if @op >= 2 && $op[0] eq '0f' && $op[1] =~ /^1[89a-e]$/;
	return 'invalid' if @op && @op < @b && $op[0] =~ /^(c4|c5|62)$/;
	return $t->[3] eq 'fwait' ? 'other' : objdump_kind($t->[3]);
}

# Whether objdump's bytes start, after legacy prefixes and REX, with an
# encoding we decode on purpose where objdump 2.40 does not.
sub lenient_encoding {
	my ($bytes) = @_;
	my @b = @$bytes;
	shift @b while @b && $b[0] =~ /^(26|2e|36|3e|64|65|66|67|f0|f2|f3|4[0-9a-f])$/;
	return 1 if @b >= 2 && $b[0] eq '0f' && $b[1] =~ /^(01|ae|c7|1a|1b|2[0-3])$/;
	return @b && $b[0] =~ /^(62|c4|c5|8f|d5|d[89a-f])$/;
}

my ($agree, $total, $symbol, $bad, $rex, $lenient, $eip, $branch16, $unexplained) =
	(0, 0, 0, 0, 0, 0, 0, 0, 0);
my @report;
for my $sec (sort keys %theirs) {
	my $O = $ours{$sec} || [];
	my $T = $theirs{$sec};
	my ($i, $j) = (0, 0);
	$total += @$T;
	while ($j < @$T) {
		if ($i < @$O && $O->[$i][0] == $T->[$j][0] &&
		    $O->[$i][1] == $T->[$j][1]) {
			my $kind = their_kind($T->[$j]);
			if ($O->[$i][2] == $T->[$j][2] && $O->[$i][3] eq $kind) {
				$agree++;
				$fwait++ if $T->[$j][3] eq 'fwait';
			} elsif ($kind eq 'invalid' && $O->[$i][3] ne 'invalid' &&
				 lenient_encoding($T->[$j][5])) {
				$lenient++;
			} elsif ($kind eq 'invalid' && $O->[$i][3] eq 'invalid') {
				$bad++;
			} elsif ($O->[$i][3] eq $kind && $T->[$j][3] =~ /%eip/ &&
				 $T->[$j][2] == ($O->[$i][2] | 0xffffffff00000000)) {
				$eip++;
			} elsif ($O->[$i][2] == $T->[$j][2]) {
				$unexplained++;
				push @report, sprintf("%s 0x%x: kind %s, objdump says %s (%s)",
					$sec, $T->[$j][0], $O->[$i][3], $kind, $T->[$j][3]);
			} else {
				$unexplained++;
				push @report, sprintf("%s 0x%x: target 0x%x, objdump 0x%x (%s)",
					$sec, $T->[$j][0], $O->[$i][2], $T->[$j][2], $T->[$j][3]);
			}
			$i++; $j++;
			next;
		}
		# A region where the boundaries differ: consume both streams
		# until they end at the same address.
		my ($start, @ro, @rt);
		$i++ while $i < @$O && $O->[$i][0] + $O->[$i][1] <= $T->[$j][0];
		$start = $T->[$j][0];
		my ($oe, $te) = ($start, $start);
		do {
			if ($i < @$O && ($oe < $te || $oe == $start)) {
				push @ro, $O->[$i]; $oe = $O->[$i][0] + $O->[$i][1]; $i++;
			} elsif ($j < @$T) {
				push @rt, $T->[$j]; $te = $T->[$j][0] + $T->[$j][1]; $j++;
			} else {
				last;
			}
			push(@rt, $T->[$j]), $te = $T->[$j][0] + $T->[$j][1], $j++
				while $te < $oe && $j < @$T;
		} while ($oe != $te && ($i < @$O || $oe > $te));
		my $spans = 0;
		for my $x (@ro) {
			for my $a ($x->[0] + 1 .. $x->[0] + $x->[1] - 1) {
				$spans = 1 if $symbols{$sec}{$a};
			}
		}
		if ($spans) {
			$symbol += @rt;
			next;
		}
		my %invalid = map { $_->[3] eq 'invalid' ? ($_->[0] => 1) : () } @ro;
		my %valid = map { $_->[3] ne 'invalid' ? ($_->[0] => 1) : () } @ro;
		if (their_kind($rt[0]) eq 'invalid' && $invalid{$rt[0][0]}) {
			$bad += @rt;
			next;
		}
		my @op = opcode_bytes($rt[0][5]);
		if (grep({ $_ eq '66' } @{$rt[0][5]}) && $valid{$rt[0][0]} &&
		    ($op[0] =~ /^e[89]$/ || ($op[0] eq '0f' && $op[1] =~ /^8/))) {
			$branch16 += @rt;
			next;
		}
		if (their_kind($rt[0]) eq 'invalid' && $valid{$rt[0][0]} &&
		    lenient_encoding($rt[0][5])) {
			$lenient += @rt;
			next;
		}
		if (@ro == 1 && @rt >= 2 && $ro[0][0] == $rt[0][0] &&
		    !grep({ objdump_kind($_->[3]) ne 'invalid' || $_->[3] =~ /bad/ }
			  @rt[0 .. $#rt - 1]) &&
		    $ro[0][1] == $rt[-1][0] + $rt[-1][1] - $rt[0][0]) {
			$rex += @rt;
			next;
		}
		$unexplained += @rt;
		push @report, sprintf("%s 0x%x: ours %s | objdump %s", $sec, $start,
			join(', ', map { sprintf("0x%x/%d", $_->[0], $_->[1]) } @ro),
			join(', ', map { sprintf("0x%x/%d %s", $_->[0], $_->[1], $_->[3]) } @rt));
	}
}
print "agree=$agree objdump=$total fwait=$fwait symbol=$symbol bad=$bad rex=$rex lenient=$lenient eip=$eip branch16=$branch16 unexplained=$unexplained\n";
print "  $_\n" for @report[0 .. ($#report < 19 ? $#report : 19)];
exit($unexplained ? 1 : 0);
